#pragma once
// The id-level checks of a causal_lm.json golden case: logits at the first three and the last
// position within tolerance, and the greedy continuation (EOS not stopping) identical.
#include <doctest/doctest.h>

#include <nib/session.hpp>

#include <algorithm>

#include "logits_check.hpp"

namespace nib::test {

inline void check_causal_case(Session& s, const nlohmann::json& c) {
  CAPTURE(c["prompt"].get<std::string>());
  auto ids = c["input_ids"].get<std::vector<TokenId>>();
  const auto n = static_cast<std::int64_t>(ids.size());
  std::vector<std::int64_t> positions;
  for (std::int64_t p = 0; p < std::min<std::int64_t>(3, n); ++p) positions.push_back(p);
  positions.push_back(n - 1);
  auto logits = s.logits(ids, positions);
  for (std::size_t p = 0; p + 1 < positions.size(); ++p) {
    CAPTURE(p);
    check_close(logits[p], floats(c["first3_logits"][p]));
  }
  check_close(logits.back(), floats(c["last_logits"]));

  GenerateOptions o;
  o.max_new_tokens = static_cast<int>(c["greedy_new_ids"].size());
  o.stop_at_eos = false;
  auto out = s.generate_ids(ids, o);
  CHECK(out.ids == c["greedy_new_ids"].get<std::vector<TokenId>>());
  CHECK(out.ids.front() == c["last_argmax"].get<TokenId>());
}

}  // namespace nib::test
