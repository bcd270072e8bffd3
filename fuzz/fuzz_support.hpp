#pragma once
// Helpers shared by the libFuzzer targets: splitting one input into several files, a scratch
// folder for files the loaders read by path, the shared test models, and the rule every target
// enforces — bad input may only ever surface as a nib::Error that is not Status::Internal.
#include <nib/error.hpp>
#include <nib/tokenizer.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace nib::fuzz {

// The input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits at NUL bytes into at most `max_parts` parts (the last keeps any further NULs). JSON and
// text files never hold a raw NUL, so seeds are files joined with "\0".
std::vector<std::string_view> split_parts(std::string_view input, std::size_t max_parts);

// Reads fixed-size fields from the front of the input; past the end they read as zero.
class Reader {
 public:
  explicit Reader(std::string_view input) : rest_(input) {}
  std::uint8_t u8();
  std::uint32_t u32();                   // little-endian
  std::string_view take(std::size_t n);  // at most n bytes
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// A per-process folder (under /dev/shm when it exists) emptied by every call to fresh(): the
// loaders that take paths read the input from here.
class Scratch {
 public:
  static const std::filesystem::path& fresh();
  static std::filesystem::path write(const std::string& name, std::string_view bytes);
};

// $NIB_SHARED, else ../shared beside the source tree; aborts with a message when missing.
std::filesystem::path shared_path(const std::string& relative);

// Runs fn(); a nib::Error (other than Status::Internal) is the expected outcome of bad input.
// Anything else — another exception type, Internal — is a finding: print it and abort.
template <class Fn>
void expect_clean(const char* what, Fn&& fn);
[[noreturn]] void finding(const char* what, const std::string& detail);

// Encodes fixed probe texts (and `text` when given), encodes a pair, decodes what came back and
// a sweep of ids around the vocabulary's edges, and streams ids through a StreamDecoder.
void exercise_tokenizer(const Tokenizer& tokenizer, std::string_view text);

template <class Fn>
void expect_clean(const char* what, Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    if (e.status() == Status::Internal) finding(what, std::string("Status::Internal: ") + e.what());
  } catch (const std::exception& e) {
    finding(what, std::string("non-nib exception: ") + e.what());
  }
}

}  // namespace nib::fuzz
