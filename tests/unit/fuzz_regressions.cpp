// Inputs the fuzz targets (fuzz/) once crashed or hung on, cut down to what triggers the bug; the
// fuzzers' original inputs are kept in tests/data/fuzz-regressions/<target>/ and replayed by every
// tools/fuzz run.
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/tokenizer.hpp>

#include <fstream>

#include "error_of.hpp"
#include "file_builders.hpp"
#include "io/json.hpp"
#include "jinja_support.hpp"
#include "shared_data.hpp"
#include "text/tokenizer_impl.hpp"

namespace fs = std::filesystem;

namespace {

using nib::test::tokenizer_load_error;

fs::path folder(const std::string& name, std::initializer_list<std::pair<const char*, std::string>> files) {
  auto dir = nib::test::scratch_dir(name);
  for (const auto& [file, content] : files) std::ofstream(dir / file, std::ios::binary) << content;
  return dir;
}

}  // namespace

// fuzz_chat_template: std::stod threw std::out_of_range out of the lexer (NIB_INTERNAL in C).
TEST_CASE("fuzz regression: float literals beyond double's range are inf and 0.0, as in Python") {
  CHECK(nib::test::render("{{ 2e308 }}") == "inf");
  CHECK(nib::test::render("{{ -2e308 }}") == "-inf");
  CHECK(nib::test::render("{{ 1e-400 }}") == "0.0");
  CHECK(nib::test::render("{{ 0.000001e-400 }}") == "0.0");
  CHECK(nib::test::render("{{ 100000000000000000000e-300 > 1 }}") == "False");
  CHECK(nib::test::render("{{ 1e99999999999999999999999 }}") == "inf");
}

// fuzz_model_config: get_int cast a float such as 5.15556e+94 to int64 before checking its range
// (undefined behaviour, reported by UBSan); an unsigned beyond int64 wrapped to a negative number.
TEST_CASE("fuzz regression: integers beyond int64 in JSON are type errors, not casts") {
  for (const char* text : {R"({"n": 5.15556e+94})", R"({"n": -1e300})", R"({"n": 18446744073709551615})",
                           R"({"n": 9223372036854775808})"}) {
    CAPTURE(text);
    const auto json = nib::io::Json::parse(text);
    const nib::io::JsonView view(json, "config.json");
    try {
      (void)view.get_int("n");
      FAIL("accepted");
    } catch (const nib::Error& e) {
      CHECK(e.status() == nib::Status::Format);
      CHECK_MESSAGE(std::string(e.what()).find("expected an integer") != std::string::npos, e.what());
    }
  }
  const auto ok = nib::io::Json::parse(R"({"a": 4096.0, "b": 9223372036854775807, "c": -7})");
  const nib::io::JsonView view(ok, "config.json");
  CHECK(view.get_int("a") == 4096);
  CHECK(view.get_int("b") == 9223372036854775807LL);
  CHECK(view.get_int("c") == -7);
}

// fuzz_legacy_vocab: a vocab.json id of 13211498 among 900 tokens made the id table allocate and
// construct 13 million strings (a hang); any id up to 2^28 was accepted.
TEST_CASE("fuzz regression: a vocabulary id far beyond the number of tokens is a Format error") {
  auto [status, msg] = tokenizer_load_error(folder(
      "fuzz-sparse-id", {{"vocab.json", R"({"a": 0, "b": 13211498})"}, {"merges.txt", "#version: 0.2\n"}}));
  CHECK(status == nib::Status::Format);
  CHECK_MESSAGE(
      msg.find("token id 13211498 is out of range for a vocabulary of 2 tokens") != std::string::npos, msg);
}

TEST_CASE("fuzz regression: a vocabulary id beyond int32 is refused, not narrowed") {
  auto [status, msg] = tokenizer_load_error(folder(
      "fuzz-wide-id", {{"vocab.json", R"({"a": 0, "b": 4294967297})"}, {"merges.txt", "#version: 0.2\n"}}));
  CHECK(status == nib::Status::Format);
  CHECK_MESSAGE(msg.find("[\"b\"]: token id 4294967297 is out of range") != std::string::npos, msg);
}

// Found reading the code the fuzzer pointed at: std::stoll on added_tokens_decoder keys.
TEST_CASE("fuzz regression: added_tokens_decoder keys and contents are checked") {
  auto [status, msg] = tokenizer_load_error(
      folder("fuzz-added-key",
             {{"vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"},
              {"tokenizer_config.json", R"({"added_tokens_decoder": {"x1": {"content": "[X]"}}})"}}));
  CHECK(status == nib::Status::Format);
  CHECK_MESSAGE(msg.find("added_tokens_decoder key \"x1\" is not a token id") != std::string::npos, msg);
  std::tie(status, msg) = tokenizer_load_error(
      folder("fuzz-added-content",
             {{"vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"},
              {"tokenizer_config.json", R"({"added_tokens_decoder": {"4": {"content": 7}}})"}}));
  CHECK(status == nib::Status::Format);
  CHECK_MESSAGE(msg.find("added_tokens_decoder[\"4\"].content is not a string") != std::string::npos, msg);
}

// fuzz_tokenizer_json: t5's tokenizer.json with a mutated precompiled charsmap whose replacement
// was not valid UTF-8 (a cut lead byte); the Unigram lattice then wrote a node past its end
// (heap-buffer-overflow under ASan). The fuzzer's input: tokenizer.json \0 tokenizer_config.json
// \0 text. Now such replacements are not applied, and Unigram ends a cut sequence at the text's end.
TEST_CASE("fuzz regression: a precompiled charsmap replacement that is not UTF-8") {
  auto input = nib::test::read_file(fs::path(NIB_SOURCE_DIR) /
                                    "tests/data/fuzz-regressions/tokenizer_json/unigram-cut-utf8");
  auto first = input.find('\0'), second = input.find('\0', first + 1);
  REQUIRE(second != std::string::npos);
  auto tokenizer = nib::Tokenizer(nib::detail::load_tokenizer_json(
      nib::io::parse_json(input.substr(0, first), "tokenizer.json"), "tokenizer.json",
      nib::io::parse_json(input.substr(first + 1, second - first - 1), "tokenizer_config.json")));
  for (std::string text :
       {std::string("Hello, world! It's 2024."), std::string("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80"),
        input.substr(second + 1)}) {
    auto ids = tokenizer.encode(text).ids;
    CHECK(!ids.empty());
    for (auto id : ids) CHECK(static_cast<std::size_t>(id) < tokenizer.vocab_size());
  }
}
