// Malformed tokenizer files and inputs: a nib::Error naming what is wrong, never a crash.
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/tokenizer.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "error_of.hpp"
#include "io/json.hpp"
#include "shared_data.hpp"
#include "text/jinja/utf8.hpp"
#include "text/unicode.hpp"

namespace fs = std::filesystem;

namespace {

using nib::test::tokenizer_load_error;

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
    auto [status, msg] = tokenizer_load_error(write_tokenizer("tok_unknown", minimal_with(c.extra)));
    CHECK(status == nib::Status::Format);
    CHECK_MESSAGE(msg.find(c.path) != std::string::npos, msg);
    CHECK_MESSAGE(msg.find("\"" + c.type + "\"") != std::string::npos, msg);
    CHECK_MESSAGE(msg.find("tokenizer.json") != std::string::npos, msg);
  }
  auto [status, msg] =
      tokenizer_load_error(write_tokenizer("tok_unknown_model", R"({"model":{"type":"Magic","vocab":{}}})"));
  CHECK(status == nib::Status::Format);
  CHECK(msg.find("\"Magic\"") != std::string::npos);
}

TEST_CASE("malformed tokenizer.json: wrong types, bad references and hostile values name the problem") {
  struct Case {
    std::string content, needle;
  };
  const std::string deep = std::string(80, '[') + std::string(80, ']');
  const Case cases[] = {
      {R"({"model":{"type":"BPE","vocab":[],"merges":[]}})", "model.vocab: expected an object of token ids"},
      {R"({"model":{"type":"BPE","vocab":{"a":0},"merges":["a b"]}})",
       "model.merges[0]: merge token not in the vocabulary"},
      {R"({"model":{"type":"BPE","vocab":{"a":0,"b":1},"merges":["a b c"]}})",
       "model.merges[0]: expected a merge \"left right\""},
      {R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[[1,2]]}})", "model.merges[0]: expected a merge"},
      {R"({"model":{"type":"BPE","vocab":{"a":"x"},"merges":[]}})",
       "model.vocab[\"a\"]: expected an integer id"},
      {R"({"model":{"type":"BPE","vocab":{"a":-1},"merges":[]}})",
       "model.vocab[\"a\"]: token id -1 is out of range"},
      {R"({"model":{"type":"BPE","vocab":{"a":4294967296},"merges":[]}})",
       "model.vocab[\"a\"]: token id 4294967296 is out of range"},
      {R"({"model":{"type":"BPE","vocab":{"a":0,"b":5000000},"merges":[]}})",
       "model.vocab: token id 5000000 is out of range for a vocabulary of 2 tokens"},
      {R"({"model":{"type":"BPE","vocab":{"a":0,"b":0},"merges":[]}})",
       "model.vocab[\"b\"]: token id 0 is also given to \"a\""},
      {R"({"model":{"type":"BPE","vocab":{"a":0,"a":1},"merges":[]}})", "duplicate key \"a\""},
      {"{\"model\":{\"type\":\"BPE\",\"vocab\":{\"\xC3\x28\":0},\"merges\":[]}}", "invalid JSON"},
      {R"({"model":{"type":"Unigram","vocab":[["a"]]}})", "model.vocab[0]: expected [piece, score]"},
      {R"({"model":{"type":"Unigram","vocab":[["a",-1.0]],"unk_id":7}})", "model.unk_id: out of range"},
      {R"({"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"a":0}}})",
       "model.unk_token: \"[UNK]\" is not in the vocabulary"},
      {R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"added_tokens":[{"content":5}]})",
       "added_tokens[0].content: expected a string"},
      {R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"added_tokens":[{"content":"x","id":-3}]})",
       "added_tokens[0].id: missing or out of range"},
      {R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"added_tokens":[{"content":"x","id":9000000}]})",
       "added_tokens[0]: token id 9000000 is out of range"},
      {R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"added_tokens":{"content":"x"}})",
       "added_tokens: expected an array"},
      {R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"pre_tokenizer":{"type":"Split","pattern":{"Regex":"(["},"behavior":"Isolated"}})",
       "pre_tokenizer"},
      {R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"normalizer":{"type":"Precompiled","precompiled_charsmap":"AAAA"}})",
       "normalizer"},
      {R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"post_processor":{"type":"BertProcessing","sep":["[SEP]"]}})",
       "post_processor.sep: expected [token, id]"},
      {R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"post_processor":{"type":"BertProcessing","sep":["[SEP]",-7],"cls":["[CLS]",1]}})",
       "post_processor.sep: token id -7 is out of range"},
      {R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"pre_tokenizer":{"type":"Split","pattern":{"Regex":"a"},"behavior":"Sideways"}})",
       "Sideways"},
      {R"({"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"decoder":)" + deep + "}",
       "nested deeper than 64"},
      {R"([1,2,3])", "expected a JSON object, got array"},
      {R"({"normalizer":null})", "missing key \"model\""},
  };
  for (const auto& c : cases) {
    auto [status, msg] = tokenizer_load_error(write_tokenizer("tok_bad", c.content));
    CHECK_MESSAGE(status == nib::Status::Format, c.content << " -> " << msg);
    CHECK_MESSAGE(msg.find(c.needle) != std::string::npos,
                  c.content << " -> \"" << msg << "\" lacks " << c.needle);
    CHECK_MESSAGE(msg.find("tokenizer.json") != std::string::npos, msg);
  }
}

TEST_CASE("malformed legacy vocabulary files name the file and the problem") {
  struct Case {
    std::map<std::string, std::string> files;
    std::string needle;
  };
  const Case cases[] = {
      {{{"vocab.txt", "[PAD]\n[UNK]\n\xff\xfe\n[CLS]\n[SEP]\n"}}, "vocab.txt: line 3 is not valid UTF-8"},
      {{{"vocab.txt", "[UNK]\n[CLS]\n"}}, "special token \"[SEP]\" is not in the vocabulary"},
      {{{"vocab.txt", "[UNK]\n[CLS]\n[SEP]\n"},
        {"tokenizer_config.json", R"({"added_tokens_decoder":{"x1":{"content":"[CLS]"}}})"}},
       "added_tokens_decoder key \"x1\" is not a token id"},
      {{{"vocab.txt", "[UNK]\n[CLS]\n[SEP]\n"},
        {"tokenizer_config.json", R"({"added_tokens_decoder":{"1":{"content":7}}})"}},
       "added_tokens_decoder[\"1\"].content is not a string"},
      {{{"vocab.json", R"(["a","b"])"}, {"merges.txt", "#version: 0.2\na b\n"}},
       "vocab.json: expected an object of token ids"},
      {{{"vocab.json", R"({"a":0,"b":1,"a":2})"}, {"merges.txt", "a b\n"}}, "duplicate key \"a\""},
      {{{"vocab.json", R"({"a":0,"b":1})"}, {"merges.txt", "a b\n\xc3\n"}},
       "merges.txt: line 2 is not valid UTF-8"},
      {{{"vocab.json", R"({"a":0,"b":1})"}, {"merges.txt", "a\n"}}, "expected a merge \"left right\""},
  };
  for (const auto& c : cases) {
    auto dir = nib::test::scratch_dir("tok_legacy");
    for (const auto& [name, content] : c.files) std::ofstream(dir / name, std::ios::binary) << content;
    auto [status, msg] = tokenizer_load_error(dir);
    CHECK_MESSAGE(status == nib::Status::Format, msg);
    CHECK_MESSAGE(msg.find(c.needle) != std::string::npos, "\"" << msg << "\" lacks " << c.needle);
  }
}

TEST_CASE("malformed tokenizer.json: every truncation of a real file is a format error") {
  std::string full = read(nib::test::shared_path("tokenizers/phi-3-mini/tokenizer.json"));
  for (double frac : {0.0, 0.001, 0.01, 0.2, 0.5, 0.9, 0.999}) {
    auto cut = static_cast<std::size_t>(static_cast<double>(full.size()) * frac);
    auto [status, msg] = tokenizer_load_error(write_tokenizer("tok_truncated", full.substr(0, cut)));
    CHECK_MESSAGE(status == nib::Status::Format, "cut at " << cut << ": " << msg);
    CHECK_MESSAGE(msg.find("tokenizer.json: invalid JSON") != std::string::npos, msg);
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

// The lenient decoding Jinja strings use: a byte that starts no complete sequence stands for itself,
// and the bytes after it are decoded afresh.
TEST_CASE("UTF-8 decoding: a stray byte decodes to itself, one byte at a time") {
  const std::string s =
      "\xC3(\xE4\xBD\xA0\xE4\xBD\xF0\x9F\x98";  // bad continuation, 你, truncated, truncated
  CHECK(nib::jinja::decode_utf8(s) ==
        std::vector<std::uint32_t>{0xC3, '(', 0x4F60, 0xE4, 0xBD, 0xF0, 0x9F, 0x98});
  CHECK(nib::text::utf8_sequence_length(s, 0) == 1);
  CHECK(nib::text::utf8_sequence_length(s, 2) == 3);
  CHECK(nib::text::utf8_sequence_length(s, 5) == 1);
  CHECK(nib::jinja::codepoint_count(s) == 8);
  CHECK(nib::jinja::decode_utf8("a\xF0\x9F\x98\x80") == std::vector<std::uint32_t>{'a', 0x1F600});
}

TEST_CASE("a folder without tokenizer files is an I/O error") {
  auto dir = nib::test::scratch_dir("tok_empty");
  auto [status, msg] = tokenizer_load_error(dir);
  CHECK(status == nib::Status::Io);
}
