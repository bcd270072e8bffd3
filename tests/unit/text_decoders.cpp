// Each decoder of the decode chain.
#include <doctest/doctest.h>

#include "text_test_helpers.hpp"

using nib::test::decode_chain;
using nib::test::Strings;

TEST_CASE("decoder ByteLevel: characters back to bytes, lossy unless raw") {
  CHECK(decode_chain(R"({"type":"ByteLevel"})", {"Hello", "Ġw", "Ã©"}) == Strings{"Hello wé"});
  CHECK(decode_chain(R"({"type":"ByteLevel"})", {"Ã"}) == Strings{"\xEF\xBF\xBD"});
  CHECK(decode_chain(R"({"type":"ByteLevel"})", {"Ã"}, true) == Strings{"\xC3"});
}

TEST_CASE("decoder WordPiece with cleanup") {
  CHECK(decode_chain(R"({"type":"WordPiece","prefix":"##","cleanup":true})",
                     {"hel", "##lo", "world", "!", "do", "n't"}) ==
        Strings{"hel", "lo", " world", "!", " do", "n't"});
}

TEST_CASE("decoder Metaspace, BPEDecoder, CTC") {
  CHECK(decode_chain(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"always"})",
                     {"▁Hi", "▁there"}) == Strings{"Hi", " there"});
  CHECK(decode_chain(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"never"})", {"▁Hi"}) ==
        Strings{" Hi"});
  CHECK(decode_chain(R"({"type":"BPEDecoder","suffix":"</w>"})", {"hel", "lo</w>", "you</w>"}) ==
        Strings{"hel", "lo ", "you"});
  CHECK(decode_chain(R"({"type":"CTC","pad_token":"<pad>","word_delimiter_token":"|","cleanup":true})",
                     {"h", "h", "<pad>", "i", "|", "y", "o"}) == Strings{"h", "i", " ", "y", "o"});
}

TEST_CASE("decoder ByteFallback, Fuse, Strip, Replace (the Llama chain)") {
  CHECK(decode_chain(R"({"type":"ByteFallback"})", {"a", "<0xE4>", "<0xBD>", "<0xA0>", "b"}) ==
        Strings{"a", "你", "b"});
  CHECK(decode_chain(R"({"type":"ByteFallback"})", {"<0xE4>", "x"}) == Strings{"\xEF\xBF\xBD", "x"});
  CHECK(decode_chain(R"({"type":"ByteFallback"})", {"<0xE4>", "<0xBD>", "x"}) ==
        Strings{"\xEF\xBF\xBD", "\xEF\xBF\xBD", "x"});
  CHECK(decode_chain(R"({"type":"Fuse"})", {"a", "b"}) == Strings{"ab"});
  CHECK(decode_chain(R"({"type":"Strip","content":" ","start":1,"stop":1})", {"  a  "}) == Strings{" a "});
  CHECK(decode_chain(R"({"type":"Replace","pattern":{"String":"▁"},"content":" "})", {"▁a▁b"}) ==
        Strings{" a b"});
  CHECK(decode_chain(
            R"({"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},
                     {"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]})",
            {"▁Hi", "<0x21>"}) == Strings{"Hi!"});
}
