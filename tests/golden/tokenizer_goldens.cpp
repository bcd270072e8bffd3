// Every tokenizer golden in ../shared: tokenizers/*/golden.json (Hugging Face tokenizers, Rust),
// llama2/golden-sentencepiece.json (sentencepiece) and models/*/golden/tokenization.json
// (transformers' slow tokenizers). Reports per tokenizer how many cases pass; all must.
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/tokenizer.hpp>

#include <filesystem>
#include <sstream>

#include "golden_ids.hpp"
#include "io/json.hpp"
#include "shared_data.hpp"

namespace fs = std::filesystem;
using nib::io::Json;

namespace {

using nib::test::ids_of;

// Counts cases and keeps the first few mismatches for the report.
struct Tally {
  std::string name;
  int passed = 0, total = 0;
  std::vector<std::string> failures;

  template <class T>
  bool same(const std::string& what, const T& got, const Json& want, std::string& diff) {
    Json g = got;
    if (g == want) return true;
    diff += "  " + what + ": got " + g.dump() + "\n    want " + want.dump() + "\n";
    return false;
  }
  void record(const std::string& label, const std::string& diff) {
    ++total;
    if (diff.empty()) {
      ++passed;
    } else if (failures.size() < 6) {
      failures.push_back(label + "\n" + diff);
    }
  }
  void report() {
    MESSAGE(name << ": " << passed << "/" << total << " cases passed");
    for (const auto& f : failures) MESSAGE(name << " FAILED " << f);
    CHECK_MESSAGE(passed == total, name);
  }
};

std::string run_case(const nib::Tokenizer& tok, const Json& c,
                     const std::vector<std::pair<std::string, std::string>>& fields, Tally& t,
                     bool clean_up) {
  std::string diff;
  std::string text = c["text"].get<std::string>();
  try {
    nib::Encoding with = tok.encode(text, true);
    nib::Encoding plain = tok.encode(text, false);
    for (const auto& [field, what] : fields) {
      if (!c.contains(field)) continue;
      const Json& want = c[field];
      if (what == "ids") t.same(field, with.ids, want, diff);
      if (what == "ids_plain") t.same(field, plain.ids, want, diff);
      if (what == "tokens_plain") t.same(field, plain.tokens, want, diff);
      if (what == "tokens") t.same(field, with.tokens, want, diff);
      if (what == "type_ids") t.same(field, with.type_ids, want, diff);
      if (what == "decoded_plain") t.same(field, tok.decode(ids_of(c.at("ids_plain")), true), want, diff);
      if (what == "decoded_with") t.same(field, tok.decode(ids_of(c.at("ids")), false), want, diff);
      if (what == "decoded_model")
        t.same(field, tok.decode(ids_of(c.at("input_ids")), true, clean_up), want, diff);
    }
  } catch (const std::exception& e) {
    diff += std::string("  threw: ") + e.what() + "\n";
  }
  return diff;
}

}  // namespace

TEST_CASE("tokenizer goldens: shared/tokenizers/*/golden.json (Hugging Face tokenizers)") {
  const std::vector<std::pair<std::string, std::string>> fields = {{"ids", "ids"},
                                                                   {"ids_plain", "ids_plain"},
                                                                   {"tokens", "tokens_plain"},
                                                                   {"tokens_with_special", "tokens"},
                                                                   {"type_ids", "type_ids"},
                                                                   {"decoded", "decoded_plain"},
                                                                   {"decoded_with_special", "decoded_with"}};
  int folders = 0;
  for (const auto& entry : fs::directory_iterator(nib::test::shared_dir() / "tokenizers")) {
    if (!fs::exists(entry.path() / "golden.json")) continue;
    ++folders;
    Tally t{entry.path().filename().string()};
    Json golden = nib::io::read_json_file(entry.path() / "golden.json");
    auto tok = nib::Tokenizer::load(entry.path());
    for (const auto& c : golden["cases"]) {
      t.record("case " + std::to_string(c["i"].get<int>()) + " " + c["text"].dump(),
               run_case(tok, c, fields, t, false));
    }
    for (const auto& p : golden["pairs"]) {
      std::string diff;
      try {
        auto enc = tok.encode_pair(p["text"].get<std::string>(), p["text_pair"].get<std::string>(), true);
        t.same("pair ids", enc.ids, p["ids"], diff);
        t.same("pair tokens", enc.tokens, p["tokens"], diff);
        t.same("pair type_ids", enc.type_ids, p["type_ids"], diff);
      } catch (const std::exception& e) {
        diff += std::string("  threw: ") + e.what() + "\n";
      }
      t.record("pair " + p["text"].dump() + " / " + p["text_pair"].dump(), diff);
    }
    t.report();
  }
  CHECK(folders >= 9);
}

TEST_CASE("tokenizer goldens: shared/tokenizers/llama2/golden-sentencepiece.json") {
  auto dir = nib::test::shared_path("tokenizers/llama2");
  Json golden = nib::io::read_json_file(dir / "golden-sentencepiece.json");
  auto tok = nib::Tokenizer::load(dir);
  CHECK(tok.kind() == "sentencepiece");
  Tally t{"llama2 (sentencepiece)"};
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"ids", "ids"}, {"ids_plain", "ids_plain"}, {"tokens", "tokens_plain"}, {"decoded", "decoded_plain"}};
  for (const auto& c : golden["cases"])
    t.record("case " + c["text"].dump(), run_case(tok, c, fields, t, false));
  t.report();
}

TEST_CASE("tokenizer goldens: shared/models/*/golden/tokenization.json (transformers slow tokenizers)") {
  const std::vector<std::pair<std::string, std::string>> fields = {{"input_ids", "ids"},
                                                                   {"tokens", "tokens"},
                                                                   {"input_ids_no_special", "ids_plain"},
                                                                   {"decoded_skip_special", "decoded_model"}};
  int folders = 0;
  for (const auto& entry : fs::directory_iterator(nib::test::shared_dir() / "models")) {
    auto file = entry.path() / "golden" / "tokenization.json";
    if (!fs::exists(file)) continue;
    ++folders;
    Tally t{entry.path().filename().string()};
    Json golden = nib::io::read_json_file(file);
    auto tok = nib::Tokenizer::load(entry.path());
    for (const auto& c : golden["cases"]) {
      t.record("case " + c["text"].dump(), run_case(tok, c, fields, t, tok.clean_up_tokenization_spaces()));
    }
    t.report();
  }
  CHECK(folders >= 6);
}
