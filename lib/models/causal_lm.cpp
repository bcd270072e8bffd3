#include "models/causal_lm.hpp"

#include <nib/error.hpp>

#include "models/decoder_lm.hpp"

namespace nib::models {

std::unique_ptr<CausalLM> make_causal_lm(const io::ModelConfig& config, WeightBinder& weights) {
  switch (config.family) {
    case io::Family::Llama: return make_llama(config, weights);
    case io::Family::Gpt2: return make_gpt2(config, weights);
    default: break;
  }
  throw Error(Status::Unsupported, config.architecture + " is not a causal language model nib can run");
}

}  // namespace nib::models
