// The per-word model cache: bounded, and safe when one Tokenizer encodes from many threads.
#include <doctest/doctest.h>

#include <nib/tokenizer.hpp>

#include <string>
#include <thread>
#include <vector>

#include "io/json.hpp"
#include "shared_data.hpp"
#include "text/word_cache.hpp"

using nib::text::Token;
using nib::text::WordCache;

TEST_CASE("WordCache: appends cached tokens, skips long words, stops growing when full") {
  WordCache cache;
  std::vector<Token> out = {{7, "x"}};
  CHECK_FALSE(cache.find("Ġhello", out));
  const std::vector<Token> hello = {{1, "Ġhel"}, {2, "lo"}};
  cache.insert("Ġhello", hello);
  REQUIRE(cache.find("Ġhello", out));
  REQUIRE(out.size() == 3);
  CHECK(out[0].id == 7);
  CHECK(out[1].id == 1);
  CHECK(out[2].value == "lo");

  std::string long_word(WordCache::kMaxWordBytes, 'a');
  cache.insert(long_word, hello);
  CHECK_FALSE(cache.find(long_word, out));

  for (std::size_t i = 0; i < 2 * WordCache::kCapacity; ++i) cache.insert("w" + std::to_string(i), hello);
  std::size_t cached = 0;
  for (std::size_t i = 0; i < 2 * WordCache::kCapacity; ++i)
    cached += cache.find("w" + std::to_string(i), out);
  CHECK(cached <= WordCache::kCapacity);
  CHECK(cached > WordCache::kCapacity / 2);
  CHECK(cache.find("Ġhello", out));  // entries stay once cached
}

TEST_CASE("WordCache: one Tokenizer shared by threads gives the golden ids, cold and warm") {
  for (const char* name : {"gpt2", "bert-base-uncased", "t5-small", "phi-3-mini"}) {
    auto dir = nib::test::shared_path(std::string("tokenizers/") + name);
    auto golden = nib::io::read_json_file(dir / "golden.json");
    auto tok = nib::Tokenizer::load(dir);
    std::vector<std::vector<int>> mismatches(4);
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; ++t) {
      pool.emplace_back([&, t] {
        for (int round = 0; round < 3; ++round) {  // the first round fills the cache concurrently
          for (const auto& c : golden["cases"]) {
            if (tok.encode(c["text"].get<std::string>()).ids != c["ids"].get<std::vector<nib::TokenId>>())
              mismatches[static_cast<std::size_t>(t)].push_back(c["i"].get<int>());
          }
        }
      });
    }
    for (auto& th : pool) th.join();
    for (const auto& m : mismatches) CHECK_MESSAGE(m.empty(), name << ": " << m.size() << " mismatches");
  }
}
