// An f16 KV cache (SessionOptions::kv_cache) against the goldens of stories260K (trained Llama),
// tiny-llama (GQA, random weights) and tiny-gpt2 (fused qkv, learned positions): the largest
// |logit − golden| at the golden logit positions, and teacher-forced top-1 agreement — at every
// position of prompt + golden greedy continuation, the f16 session's argmax is the golden next
// token (the goldens' continuations are the f32 reference's argmax at each step). Bounds are the
// measured values with headroom: max |logit diff| 0.0102 (stories260K), 0.0035 (tiny-llama), 0.0030
// (tiny-gpt2); top-1 192/192, 72/72, 72/72.
#include <doctest/doctest.h>

#include <nib/model.hpp>
#include <nib/session.hpp>

#include <algorithm>
#include <cmath>

#include "io/json.hpp"
#include "logits_check.hpp"
#include "shared_data.hpp"

namespace {

using nib::TokenId;

nib::SessionOptions f16_cache() {
  nib::SessionOptions o;
  o.kv_cache = nib::KvCacheType::F16;
  return o;
}

// A golden case: the ids (prompt + greedy continuation), the prompt length, and reference logits at
// some positions of that sequence.
struct Case {
  std::vector<TokenId> seq;
  std::size_t prompt = 0;
  std::vector<std::int64_t> positions;
  std::vector<std::vector<float>> logits;
  bool forced = true;  // count its continuation in the teacher-forced top-1
};

std::vector<Case> golden_cases(const std::string& model) {
  const auto dir = nib::test::shared_path("models/" + model + "/golden");
  std::vector<Case> out;
  if (model == "stories260K") {
    auto g = nib::io::read_json_file(dir / "greedy.json");
    for (const auto& c : g["prompts"]) {
      Case k;
      k.seq = c["input_ids"].get<std::vector<TokenId>>();
      k.prompt = k.seq.size();
      for (const auto& id : c["generated_ids"]) k.seq.push_back(id.get<TokenId>());
      out.push_back(k);
    }
    auto l = nib::io::read_json_file(dir / "logits.json");
    Case k;
    k.forced = false;  // the first greedy.json prompt's sequence again
    k.seq = l["sequence_ids"].get<std::vector<TokenId>>();
    k.prompt = l["prompt_last_position"].get<std::size_t>() + 1;
    k.positions = l["first_positions"].get<std::vector<std::int64_t>>();
    for (const auto& v : l["first_positions_logits"]) k.logits.push_back(nib::test::floats(v));
    k.positions.push_back(l["prompt_last_position"].get<std::int64_t>());
    k.logits.push_back(nib::test::floats(l["prompt_last_position_logits"]));
    k.positions.push_back(l["sequence_last_position"].get<std::int64_t>());
    k.logits.push_back(nib::test::floats(l["sequence_last_position_logits"]));
    out.push_back(k);
  } else {
    auto g = nib::io::read_json_file(dir / "causal_lm.json");
    for (const auto& c : g["cases"]) {
      Case k;
      k.seq = c["input_ids"].get<std::vector<TokenId>>();
      k.prompt = k.seq.size();
      for (std::int64_t p = 0; p < std::min<std::int64_t>(3, static_cast<std::int64_t>(k.prompt)); ++p) {
        k.positions.push_back(p);
        k.logits.push_back(nib::test::floats(c["first3_logits"][static_cast<std::size_t>(p)]));
      }
      k.positions.push_back(static_cast<std::int64_t>(k.prompt) - 1);
      k.logits.push_back(nib::test::floats(c["last_logits"]));
      for (const auto& id : c["greedy_new_ids"]) k.seq.push_back(id.get<TokenId>());
      out.push_back(k);
    }
  }
  return out;
}

struct Accuracy {
  double max_logit_diff = 0;
  int agree = 0, positions = 0;
};

Accuracy measure(const std::string& model) {
  nib::Session s(nib::Model::load(nib::test::shared_path("models/" + model)), f16_cache());
  Accuracy a;
  for (const auto& c : golden_cases(model)) {
    // Logits at the golden positions, fed as one prompt (prefill).
    if (!c.positions.empty()) {
      s.reset();
      const auto got = s.logits(c.seq, c.positions);
      for (std::size_t i = 0; i < got.size(); ++i)
        for (std::size_t v = 0; v < got[i].size(); ++v)
          a.max_logit_diff = std::max(a.max_logit_diff, double(std::abs(got[i][v] - c.logits[i][v])));
    }
    if (!c.forced) continue;
    // Teacher-forced top-1 over the golden continuation.
    std::vector<std::int64_t> rows;
    for (std::size_t p = c.prompt - 1; p + 1 < c.seq.size(); ++p)
      rows.push_back(static_cast<std::int64_t>(p));
    s.reset();
    const auto lg = s.logits(c.seq, rows);
    for (std::size_t i = 0; i < lg.size(); ++i) {
      const auto best = std::max_element(lg[i].begin(), lg[i].end()) - lg[i].begin();
      a.agree += best == c.seq[static_cast<std::size_t>(rows[i]) + 1];
      ++a.positions;
    }
  }
  return a;
}

void check_accuracy(const std::string& model, double max_diff, double min_top1) {
  CAPTURE(model);
  const auto a = measure(model);
  const double top1 = double(a.agree) / a.positions;
  MESSAGE(model << " with an f16 KV cache: max |logit - golden| " << a.max_logit_diff << ", top-1 " << a.agree
                << " of " << a.positions << " golden next tokens");
  CHECK(a.positions >= 60);
  CHECK(a.max_logit_diff <= max_diff);
  CHECK(top1 >= min_top1);
}

}  // namespace

TEST_CASE("f16 KV cache: stories260K logits and top-1 against the goldens") {
  check_accuracy("stories260K", 0.03, 0.99);
}

TEST_CASE("f16 KV cache: tiny-llama and tiny-gpt2 logits and top-1 against the goldens") {
  check_accuracy("tiny-llama", 0.01, 0.99);
  check_accuracy("tiny-gpt2", 0.01, 0.99);
}

TEST_CASE("f16 KV cache: stories260K greedy continuations (decode steps) equal the goldens") {
  auto g = nib::io::read_json_file(nib::test::shared_path("models/stories260K/golden/greedy.json"));
  nib::Session s(nib::Model::load(nib::test::shared_path("models/stories260K")), f16_cache());
  for (const auto& c : g["prompts"]) {
    CAPTURE(c["prompt"].get<std::string>());
    nib::GenerateOptions o;
    o.max_new_tokens = static_cast<int>(c["generated_ids"].size());
    o.stop_at_eos = false;
    const auto out = s.generate_ids(c["input_ids"].get<std::vector<TokenId>>(), o);
    CHECK(out.ids == c["generated_ids"].get<std::vector<TokenId>>());
  }
}
