// The models' lookup tables: FlatMap64 and Vocab's packed lookup of short tokens.
#include <doctest/doctest.h>

#include <string>

#include "text/flat_map.hpp"
#include "text/vocab.hpp"

using nib::text::FlatMap64;
using nib::text::Vocab;

TEST_CASE("FlatMap64: set, overwrite, miss, and growth keep every key") {
  FlatMap64 m;
  CHECK_FALSE(m.find(1));
  for (std::uint64_t k = 0; k < 5000; ++k) m.set(k << 32 | (k * 7), k);  // pair-key shaped keys
  CHECK(m.size() == 5000);
  for (std::uint64_t k = 0; k < 5000; ++k) {
    auto v = m.find(k << 32 | (k * 7));
    REQUIRE(v);
    CHECK(*v == k);
  }
  CHECK_FALSE(m.find(5000ull << 32));
  m.set(3ull << 32 | 21, 99);
  CHECK(m.size() == 5000);
  CHECK(*m.find(3ull << 32 | 21) == 99);
}

TEST_CASE("Vocab: short and long tokens, embedded NUL, overwritten ids") {
  Vocab v;
  v.set("a", 0, "test");
  v.set(std::string("\0", 1), 1, "test");
  v.set("1234567", 2, "test");   // the longest packed token
  v.set("12345678", 3, "test");  // the shortest hashed one
  v.set("ab", 4, "test");
  v.set("ab", 5, "test");  // a later entry for the same string wins, as in the map
  CHECK(v.find("a") == 0);
  CHECK(v.find(std::string("\0", 1)) == 1);
  CHECK(v.find("1234567") == 2);
  CHECK(v.find("12345678") == 3);
  CHECK(v.find("ab") == 5);
  CHECK_FALSE(v.find(""));
  CHECK_FALSE(v.find("b"));
  CHECK_FALSE(v.find("123456"));
  CHECK_FALSE(v.find(std::string("a\0", 2)));
  CHECK(*v.token(2) == "1234567");
}
