// Malformed tokenizer files and inputs: a nib::Error naming what is wrong, never a crash.
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/tokenizer.hpp>

#include <fstream>
#include <sstream>

#include "io/json.hpp"
#include "shared_data.hpp"

namespace fs = std::filesystem;

namespace {
fs::path write_tokenizer(const std::string& name, const std::string& content) {
  auto dir = nib::test::scratch_dir(name);
  std::ofstream(dir / "tokenizer.json", std::ios::binary) << content;
  return dir;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Loads and returns the error (status + message); fails the test if loading succeeds.
std::pair<nib::Status, std::string> load_error(const fs::path& dir) {
  try {
    nib::Tokenizer::load(dir);
  } catch (const nib::Error& e) {
    return {e.status(), e.what()};
  }
  FAIL("loading " << dir.string() << " succeeded");
  return {};
}

const char* kMinimal = R"({"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0,"a":1}},%s})";

std::string minimal_with(const std::string& extra) {
  std::string s = kMinimal;
  s.replace(s.find("%s"), 2, extra);
  return s;
}
}  // namespace

TEST_CASE("malformed tokenizer.json: unknown component types name the type and the JSON path") {
  struct Case {
    std::string extra, path, type;
  };
  const Case cases[] = {
      {R"("normalizer":{"type":"Sequence","normalizers":[{"type":"Lowercase"},{"type":"Frobnicate"}]})",
       "normalizer.normalizers[1]", "Frobnicate"},
      {R"("pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Splitter"}]})",
       "pre_tokenizer.pretokenizers[0]", "Splitter"},
      {R"("post_processor":{"type":"TemplateProcessingX"})", "post_processor", "TemplateProcessingX"},
      {R"("decoder":{"type":"Sequence","decoders":[{"type":"Fuse"},{"type":"Nope"}]})", "decoder.decoders[1]",
       "Nope"},
  };
  for (const auto& c : cases) {
    auto [status, msg] = load_error(write_tokenizer("tok_unknown", minimal_with(c.extra)));
    CHECK(status == nib::Status::Format);
    CHECK_MESSAGE(msg.find(c.path) != std::string::npos, msg);
    CHECK_MESSAGE(msg.find("\"" + c.type + "\"") != std::string::npos, msg);
    CHECK_MESSAGE(msg.find("tokenizer.json") != std::string::npos, msg);
  }
  auto [status, msg] =
      load_error(write_tokenizer("tok_unknown_model", R"({"model":{"type":"Magic","vocab":{}}})"));
  CHECK(status == nib::Status::Format);
  CHECK(msg.find("\"Magic\"") != std::string::npos);
}

TEST_CASE("malformed tokenizer.json: wrong types and bad references are format errors") {
  const char* bad[] = {
      R"({"model":{"type":"BPE","vocab":[],"merges":[]}})",
      R"({"model":{"type":"BPE","vocab":{"a":0},"merges":["a b"]}})",
      R"({"model":{"type":"BPE","vocab":{"a":"x"},"merges":[]}})",
      R"({"model":{"type":"Unigram","vocab":[["a"]]}})",
      R"({"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"a":0}}})",
      R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"added_tokens":[{"content":5}]})",
      R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"pre_tokenizer":{"type":"Split","pattern":{"Regex":"(["},"behavior":"Isolated"}})",
      R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"normalizer":{"type":"Precompiled","precompiled_charsmap":"AAAA"}})",
      R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"post_processor":{"type":"BertProcessing","sep":["[SEP]"]}})",
      R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"pre_tokenizer":{"type":"Split","pattern":{"Regex":"a"},"behavior":"Sideways"}})",
      R"([1,2,3])",
      R"({"normalizer":null})",
  };
  for (const char* content : bad) {
    auto [status, msg] = load_error(write_tokenizer("tok_bad", content));
    CHECK_MESSAGE(status == nib::Status::Format, content << " -> " << msg);
  }
}

TEST_CASE("malformed tokenizer.json: every truncation of a real file is a format error") {
  std::string full = read(nib::test::shared_path("tokenizers/phi-3-mini/tokenizer.json"));
  for (double frac : {0.0, 0.001, 0.01, 0.2, 0.5, 0.9, 0.999}) {
    auto cut = static_cast<std::size_t>(static_cast<double>(full.size()) * frac);
    auto [status, msg] = load_error(write_tokenizer("tok_truncated", full.substr(0, cut)));
    CHECK_MESSAGE(status == nib::Status::Format, "cut at " << cut << ": " << msg);
  }
}

TEST_CASE("invalid UTF-8 input is an error naming the byte offset") {
  auto tok = nib::Tokenizer::load(nib::test::shared_path("tokenizers/gpt2"));
  for (const std::string& bad :
       {std::string("abc\xFF"), std::string("abc\xE4\xBD"), std::string("abc\xC0\xAF")}) {
    try {
      tok.encode(bad);
      FAIL("accepted invalid UTF-8");
    } catch (const nib::Error& e) {
      CHECK(e.status() == nib::Status::InvalidArgument);
      CHECK(std::string(e.what()).find("byte offset 3") != std::string::npos);
    }
  }
  auto sp = nib::Tokenizer::load(nib::test::shared_path("tokenizers/llama2"));
  CHECK_THROWS_AS(sp.encode("x\x80"), nib::Error);
}

TEST_CASE("a folder without tokenizer files is an I/O error") {
  auto dir = nib::test::scratch_dir("tok_empty");
  auto [status, msg] = load_error(dir);
  CHECK(status == nib::Status::Io);
}
