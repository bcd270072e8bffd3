// Each tokenizer.json pre-tokenizer on small hand-made cases.
#include <doctest/doctest.h>

#include "text_test_helpers.hpp"

using nib::test::pre_tokenize;
using nib::test::Strings;

TEST_CASE("pre-tokenizer ByteLevel: GPT-2 regex, byte mapping, add_prefix_space") {
  CHECK(pre_tokenize(R"({"type":"ByteLevel","add_prefix_space":false})", "Hello world's  x\n") ==
        Strings{"Hello", "Ġworld", "'s", "Ġ", "Ġx", "Ċ"});
  CHECK(pre_tokenize(R"({"type":"ByteLevel","add_prefix_space":true})", "Hi") == Strings{"ĠHi"});
  CHECK(pre_tokenize(R"({"type":"ByteLevel","add_prefix_space":false,"use_regex":false})", "a b") ==
        Strings{"aĠb"});
  CHECK(pre_tokenize(R"({"type":"ByteLevel","add_prefix_space":false})", "é") == Strings{"Ã©"});
}

TEST_CASE("pre-tokenizer Split: every behaviour and invert") {
  auto split = [](const char* behavior, bool invert) {
    std::string j = std::string(R"({"type":"Split","pattern":{"String":"-"},"behavior":")") + behavior +
                    R"(","invert":)" + (invert ? "true" : "false") + "}";
    return pre_tokenize(j, "a-b--c");
  };
  CHECK(split("Removed", false) == Strings{"a", "b", "c"});
  CHECK(split("Isolated", false) == Strings{"a", "-", "b", "-", "-", "c"});
  CHECK(split("MergedWithPrevious", false) == Strings{"a-", "b-", "-", "c"});
  CHECK(split("MergedWithNext", false) == Strings{"a", "-b", "-", "-c"});
  CHECK(split("Contiguous", false) == Strings{"a", "-", "b", "--", "c"});
  CHECK(split("Removed", true) == Strings{"-", "-", "-"});  // each match stays a piece
  CHECK(pre_tokenize(
            R"({"type":"Split","pattern":{"Regex":"[0-9][0-9][0-9]"},"behavior":"Isolated","invert":false})",
            "12345") == Strings{"123", "45"});
}

TEST_CASE("pre-tokenizer Whitespace, WhitespaceSplit, BertPreTokenizer") {
  CHECK(pre_tokenize(R"({"type":"Whitespace"})", "Hey, you!  ok") == Strings{"Hey", ",", "you", "!", "ok"});
  CHECK(pre_tokenize(R"({"type":"WhitespaceSplit"})", " a\tb\u3000c ") == Strings{"a", "b", "c"});
  CHECK(pre_tokenize(R"({"type":"BertPreTokenizer"})", "Hi, there!!") ==
        Strings{"Hi", ",", "there", "!", "!"});
}

TEST_CASE("pre-tokenizer Metaspace: replacement, prepend schemes, split") {
  CHECK(pre_tokenize(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true})",
                     "a b") == Strings{"▁a", "▁b"});
  CHECK(pre_tokenize(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"first"})", "a", false) ==
        Strings{"a"});
  CHECK(pre_tokenize(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"first"})", "a", true) ==
        Strings{"▁a"});
  CHECK(pre_tokenize(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"never","split":false})",
                     "a b") == Strings{"a▁b"});
  CHECK(pre_tokenize(R"({"type":"Metaspace","replacement":"▁","add_prefix_space":true})", "x") ==
        Strings{"▁x"});
}

TEST_CASE("pre-tokenizer Digits, Punctuation, CharDelimiterSplit, Sequence") {
  CHECK(pre_tokenize(R"({"type":"Digits","individual_digits":true})", "a12") == Strings{"a", "1", "2"});
  CHECK(pre_tokenize(R"({"type":"Digits","individual_digits":false})", "a12b") == Strings{"a", "12", "b"});
  CHECK(pre_tokenize(R"({"type":"Punctuation","behavior":"Contiguous"})", "hi!!?x") ==
        Strings{"hi", "!!?", "x"});
  CHECK(pre_tokenize(R"({"type":"Punctuation"})", "a,b") == Strings{"a", ",", "b"});
  CHECK(pre_tokenize(R"({"type":"CharDelimiterSplit","delimiter":"|"})", "a|b||c") == Strings{"a", "b", "c"});
  CHECK(
      pre_tokenize(
          R"({"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Digits","individual_digits":true}]})",
          "ab 12") == Strings{"ab", "1", "2"});
}
