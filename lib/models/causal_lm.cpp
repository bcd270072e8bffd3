#include "models/causal_lm.hpp"

namespace nib::models {

// TEMPORARY until the Llama/GPT-2 implementations land: no architecture is built.
std::unique_ptr<CausalLM> make_causal_lm(const io::ModelConfig&, WeightBinder&) {
  return nullptr;
}

}  // namespace nib::models
