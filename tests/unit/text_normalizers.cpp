// Each tokenizer.json normalizer on small hand-made cases.
#include <doctest/doctest.h>

#include <nib/error.hpp>

#include "shared_data.hpp"
#include "text/precompiled_charsmap.hpp"
#include "text_test_helpers.hpp"

using nib::test::normalize;

TEST_CASE("normalizer BertNormalizer: clean text, CJK padding, lowercase with accent stripping") {
  const char* uncased =
      R"({"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true})";
  CHECK(normalize(uncased, "Héllo\tWÖRLD\x01!") == "hello world!");
  CHECK(normalize(uncased, "a今b") == "a 今 b");
  CHECK(normalize(uncased, "\xEF\xBF\xBDx") == "x");  // U+FFFD dropped
  const char* cased = R"({"type":"BertNormalizer","lowercase":false})";
  CHECK(normalize(cased, "Héllo") == "Héllo");  // strip_accents follows lowercase
  const char* strip_only = R"({"type":"BertNormalizer","lowercase":false,"strip_accents":true})";
  CHECK(normalize(strip_only, "Héllo") == "Hello");
  // ASCII runs take a table, the rest the general path: the seams must not show.
  CHECK(normalize(uncased, "Hello\r\nWORLD") == "hello  world");
  CHECK(normalize(uncased, "ÀB\x7FéC") == "abec");
  CHECK(normalize(cased, "x\xCC\x81\x01\xCC\x96") == "x\xCC\x81\xCC\x96");  // control between marks
}

TEST_CASE("normalizer NFC/NFD/NFKC/NFKD") {
  CHECK(normalize(R"({"type":"NFD"})", "\xC3\xA9") == "e\xCC\x81");
  CHECK(normalize(R"({"type":"NFC"})", "e\xCC\x81") == "\xC3\xA9");
  CHECK(normalize(R"({"type":"NFKC"})", "\xEF\xAC\x81") == "fi");  // ligature
  CHECK(normalize(R"({"type":"NFKD"})", "\xEF\xBD\x86") == "f");   // fullwidth
}

TEST_CASE("normalizer Lowercase uses the full mapping (U+0130) and StripAccents removes Mn") {
  CHECK(normalize(R"({"type":"Lowercase"})", "ÀB\xC4\xB0") == "àbi\xCC\x87");
  CHECK(normalize(R"({"type":"StripAccents"})", "e\xCC\x81t\xC3\xA9") ==
        "et\xC3\xA9");  // precomposed é stays
}

TEST_CASE("normalizer Strip, Replace, Prepend, Sequence") {
  CHECK(normalize(R"({"type":"Strip","strip_left":true,"strip_right":true})", " \t a b \n") == "a b");
  CHECK(normalize(R"({"type":"Strip","strip_left":false,"strip_right":true})", "  a  ") == "  a");
  CHECK(normalize(R"({"type":"Replace","pattern":{"String":" "},"content":"▁"})", "a b  c") == "a▁b▁▁c");
  CHECK(normalize(R"({"type":"Replace","pattern":{"Regex":"\\s+"},"content":" "})", "a \t\nb") == "a b");
  CHECK(normalize(R"({"type":"Prepend","prepend":"▁"})", "hi") == "▁hi");
  CHECK(normalize(R"({"type":"Prepend","prepend":"▁"})", "") == "");
  CHECK(
      normalize(
          R"({"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]})",
          "a b") == "▁a▁b");
}

TEST_CASE("normalizer Precompiled: t5's sentencepiece charsmap") {
  auto j = nib::io::read_json_file(nib::test::shared_path("tokenizers/t5-small/tokenizer.json"));
  auto n = nib::text::make_normalizer(j["normalizer"], "t5.normalizer");
  auto run = [&](std::string s) {
    n->normalize(s);
    return s;
  };
  CHECK(run("\xEF\xBD\x86\xEF\xBD\x95ll") == "full");  // NFKC-like folding of fullwidth
  CHECK(run("plain text") == "plain text");
  CHECK(run("\xEF\xAC\x81") == "fi");
}

TEST_CASE("normalizer: unknown type names the type and its path") {
  try {
    nib::text::make_normalizer(
        nib::io::parse_json(R"({"type":"Sequence","normalizers":[{"type":"NFC"},{"type":"Bogus"}]})", "t"),
        "tokenizer.json: normalizer");
    FAIL("expected an error");
  } catch (const nib::Error& e) {
    CHECK(e.status() == nib::Status::Format);
    CHECK(std::string(e.what()).find("normalizer.normalizers[1]") != std::string::npos);
    CHECK(std::string(e.what()).find("\"Bogus\"") != std::string::npos);
  }
}
