// tiny-llama (GQA, untied head) and tiny-gpt2 (Conv1D, fused qkv, learned positions, tied head):
// logits at the golden positions within 1e-4 of Hugging Face transformers, greedy ids identical
// (EOS does not stop), and the same from the prompt text once a tokenizer is present.
#include <doctest/doctest.h>

#include <nib/model.hpp>
#include <nib/session.hpp>

#include "causal_golden.hpp"
#include "io/json.hpp"
#include "logits_check.hpp"
#include "shared_data.hpp"

namespace {

using nib::TokenId;

void check_model(const std::string& folder) {
  auto dir = nib::test::shared_path("models/" + folder);
  auto g = nib::io::read_json_file(dir / "golden/causal_lm.json");
  auto model = nib::Model::load(dir);
  nib::Session s(model);
  for (const auto& c : g["cases"]) {
    CAPTURE(folder);
    CAPTURE(c["prompt"].get<std::string>());
    nib::test::check_causal_case(s, c);
    auto ids = c["input_ids"].get<std::vector<TokenId>>();
    nib::GenerateOptions o;
    o.max_new_tokens = static_cast<int>(c["greedy_new_ids"].size());
    o.stop_at_eos = false;
    auto out = s.generate_ids(ids, o);

    if (model.has_tokenizer()) {
      auto text_out = s.generate(c["prompt"].get<std::string>(), o);
      CHECK(text_out.prompt_ids == ids);
      CHECK(text_out.ids == out.ids);
      std::vector<TokenId> all = ids;
      all.insert(all.end(), out.ids.begin(), out.ids.end());
      CHECK(model.tokenizer().decode(all, true) == c["greedy_text"].get<std::string>());
      if (!c["first_eos_index"].is_null()) {  // stopping at EOS ends right there
        o.stop_at_eos = true;
        auto eos_out = s.generate_ids(ids, o);
        CHECK(eos_out.stop_reason == nib::StopReason::Eos);
        CHECK(eos_out.ids.size() == c["first_eos_index"].get<std::size_t>() + 1);
      }
    }
  }
}

}  // namespace

TEST_CASE("tiny-llama matches transformers") {
  check_model("tiny-llama");
}
TEST_CASE("tiny-gpt2 matches transformers") {
  check_model("tiny-gpt2");
}
