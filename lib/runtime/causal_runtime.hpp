#pragma once
// The causal-LM half of a Session: KV cache state, the ids it holds, sampler scratch.
#include <memory>
#include <vector>

#include "models/causal_lm.hpp"

namespace nib::detail {

class CausalRuntime {
 public:
  std::unique_ptr<models::CausalState> state;
  std::vector<std::int32_t> cached_ids;  // the ids whose keys/values the cache holds
};

}  // namespace nib::detail
