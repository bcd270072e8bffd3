// StreamDecoder: only complete UTF-8 leaves it, and the pieces add up to decode().
#include <doctest/doctest.h>

#include <nib/tokenizer.hpp>

#include "io/json.hpp"
#include "shared_data.hpp"

namespace {
std::string stream_all(const nib::Tokenizer& tok, const std::vector<nib::TokenId>& ids,
                       std::vector<std::string>* pieces = nullptr) {
  nib::Tokenizer::StreamDecoder dec(tok, true);
  std::string all;
  for (auto id : ids) {
    std::string p = dec.push(id);
    if (pieces) pieces->push_back(p);
    all += p;
  }
  all += dec.flush();
  return all;
}
}  // namespace

TEST_CASE("StreamDecoder: a character split across byte-fallback tokens is emitted once complete") {
  auto tok = nib::Tokenizer::load(nib::test::shared_path("tokenizers/phi-3-mini"));
  auto enc = tok.encode("a 🤗 b", false);
  std::vector<std::string> pieces;
  CHECK(stream_all(tok, enc.ids, &pieces) == tok.decode(enc.ids, true));
  int emoji_bytes = 0;
  for (const auto& t : enc.tokens) emoji_bytes += t.rfind("<0x", 0) == 0;
  REQUIRE(emoji_bytes == 4);  // the emoji is four byte tokens
  for (const auto& p : pieces) {
    CHECK((p.empty() || p.find("\xF0\x9F\xA4\x97") != std::string::npos ||
           p.find('\xF0') == std::string::npos));
  }
}

TEST_CASE("StreamDecoder: pieces add up to decode() on the corpus (byte-level, Metaspace, sentencepiece)") {
  auto corpus = nib::io::read_json_file(nib::test::shared_path("tokenizers/corpus.json"));
  for (const char* name : {"gpt2", "phi-3-mini", "t5-small", "llama2", "bert-base-uncased"}) {
    auto tok = nib::Tokenizer::load(nib::test::shared_path(std::string("tokenizers/") + name));
    for (const auto& text : corpus) {
      auto ids = tok.encode(text.get<std::string>(), true).ids;
      std::vector<std::string> pieces;
      std::string streamed = stream_all(tok, ids, &pieces);
      CHECK_MESSAGE(streamed == tok.decode(ids, true), name << ": " << text.dump());
      for (const auto& p : pieces) {
        bool incomplete = false;
        for (std::size_t i = 0; i < p.size();) {  // every piece is whole UTF-8
          auto b = static_cast<unsigned char>(p[i]);
          std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : 4;
          if (i + n > p.size()) incomplete = true;
          i += n;
        }
        CHECK_FALSE(incomplete);
      }
    }
  }
}

TEST_CASE("StreamDecoder: flush turns an unfinished character into U+FFFD") {
  auto tok = nib::Tokenizer::load(nib::test::shared_path("tokenizers/phi-3-mini"));
  auto e0 = tok.token_to_id("<0xF0>");
  REQUIRE(e0);
  nib::Tokenizer::StreamDecoder dec(tok);
  CHECK(dec.push(*tok.token_to_id("▁a")) == "a");
  CHECK(dec.push(*e0) == "");
  CHECK(dec.flush() == "\xEF\xBF\xBD");
}
