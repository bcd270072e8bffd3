// The three models (BPE, WordPiece, Unigram) on tiny vocabularies.
#include <doctest/doctest.h>

#include "text_test_helpers.hpp"

namespace {
std::vector<std::string> run(const std::string& json, const std::string& word,
                             std::vector<nib::TokenId>* ids = nullptr) {
  auto m = nib::text::make_model(nib::io::parse_json(json, "test"), "test");
  std::vector<nib::text::Token> out;
  m->tokenize(word, out);
  std::vector<std::string> values;
  for (auto& t : out) {
    values.push_back(t.value);
    if (ids) ids->push_back(t.id);
  }
  return values;
}
using nib::test::Strings;
}  // namespace

TEST_CASE("model BPE: merges by rank, leftmost first") {
  const char* j =
      R"({"type":"BPE","vocab":{"a":0,"b":1,"c":2,"ab":3,"bc":4,"abc":5},"merges":["b c","a b","a bc"]})";
  CHECK(run(j, "abc") == Strings{"abc"});  // "b c" (rank 0) first, then "a bc"
  CHECK(run(j, "abab") == Strings{"ab", "ab"});
  CHECK(run(R"({"vocab":{"a":0,"aa":1},"merges":[["a","a"]]})", "aaa") ==
        Strings{"aa", "a"});  // no "type", array merges
}

TEST_CASE("model BPE: unk, fuse_unk, byte_fallback, ignore_merges, suffix") {
  const char* unk =
      R"({"type":"BPE","vocab":{"<unk>":0,"a":1},"merges":[],"unk_token":"<unk>","fuse_unk":true})";
  std::vector<nib::TokenId> ids;
  CHECK(run(unk, "axyа", &ids) == Strings{"a", "<unk>"});
  CHECK(ids == std::vector<nib::TokenId>{1, 0});
  const char* nofuse =
      R"({"type":"BPE","vocab":{"<unk>":0,"a":1},"merges":[],"unk_token":"<unk>","fuse_unk":false})";
  CHECK(run(nofuse, "xy") == Strings{"<unk>", "<unk>"});
  const char* fallback =
      R"({"type":"BPE","vocab":{"<unk>":0,"<0xC3>":1,"<0xA9>":2,"a":3},"merges":[],"unk_token":"<unk>","byte_fallback":true})";
  CHECK(run(fallback, "aé") == Strings{"a", "<0xC3>", "<0xA9>"});
  const char* ignore =
      R"({"type":"BPE","vocab":{"a":0,"b":1,"ab":2,"abab":3},"merges":["a b"],"ignore_merges":true})";
  CHECK(run(ignore, "abab") == Strings{"abab"});
  const char* suffix =
      R"({"type":"BPE","vocab":{"a":0,"b</w>":1,"ab</w>":2},"merges":["a b</w>"],"end_of_word_suffix":"</w>"})";
  CHECK(run(suffix, "ab") == Strings{"ab</w>"});
}

TEST_CASE("model WordPiece: greedy longest match, unk, max_input_chars_per_word") {
  const char* j =
      R"({"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":5,
                      "vocab":{"[UNK]":0,"un":1,"##aff":2,"##able":3,"a":4,"##ff":5}})";
  CHECK(run(j, "unaff") == Strings{"un", "##aff"});
  CHECK(run(j, "unx") == Strings{"[UNK]"});        // one bad piece makes the whole word unknown
  CHECK(run(j, "unaffable") == Strings{"[UNK]"});  // longer than 5 characters
}

TEST_CASE("model Unigram: Viterbi best path, unknown runs fused, byte_fallback") {
  const char* j =
      R"({"type":"Unigram","unk_id":0,"vocab":[["<unk>",0],["a",-1],["b",-1],["ab",-1.5],["abc",-5],["c",-2]]})";
  CHECK(run(j, "abc") == Strings{"ab", "c"});  // -3.5 beats abc (-5) and a+b+c (-4)
  std::vector<nib::TokenId> ids;
  CHECK(run(j, "axyb", &ids) == Strings{"a", "xy", "b"});  // unknown text keeps its own string
  CHECK(ids == std::vector<nib::TokenId>{1, 0, 2});
  const char* bf =
      R"({"type":"Unigram","unk_id":0,"byte_fallback":true,"vocab":[["<unk>",0],["a",-1],["<0x7A>",-1]]})";
  CHECK(run(bf, "az") == Strings{"a", "<0x7A>"});
}
