#pragma once
// What a loaded nib::Model holds: the folder's configuration, its mapped weights and the
// derived public description. Immutable once constructed.
#include <nib/model.hpp>
#include <nib/tokenizer.hpp>

#include <mutex>
#include <optional>
#include <vector>

#include "io/hf_folder.hpp"
#include "io/weight_store.hpp"
#include "models/causal_lm.hpp"
#include "models/encoder.hpp"
#include "models/weight_binder.hpp"
#include "runtime/memory_budget.hpp"
#include "runtime/model_caches.hpp"

namespace nib::detail {

class ModelImpl {
 public:
  ModelImpl(const std::filesystem::path& dir, const LoadOptions& options);

  const io::HfFolder& folder() const { return folder_; }
  const io::ModelConfig& config() const { return folder_.model; }
  const io::WeightStore& weights() const { return weights_; }
  const ModelInfo& info() const { return info_; }
  const LoadOptions& options() const { return options_; }
  // The architecture; exactly one is set, by config.kind. Throws InvalidArgument naming the model
  // when the other kind is asked for.
  const models::CausalLM& causal_lm() const;
  // Null when the folder has no tokenizer files. Parsed on first use (a large vocabulary costs
  // load time that logits-only users need not pay); a malformed file throws here.
  const Tokenizer* tokenizer() const;
  const models::Encoder& encoder() const;
  // The linear modules of whichever architecture is loaded (what adapters attach to).
  const models::ModuleRegistry& modules() const;
  // runtime/weights_checksum.hpp, computed on the first call.
  const std::string& weights_checksum() const;
  FeatureCache& feature_cache() const { return caches_.features; }
  // LoadOptions::max_memory_bytes, charged with the weights; sessions reserve their state here.
  MemoryBudget& memory() const { return memory_; }

 private:
  LoadOptions options_;
  io::HfFolder folder_;
  io::WeightStore weights_;
  ModelInfo info_;
  mutable MemoryBudget memory_{options_.max_memory_bytes};
  std::vector<MemoryBudget::Reservation> weights_memory_;  // a tensor's each (see WeightBinder::on_hold)
  models::WeightBinder binder_;
  std::unique_ptr<models::CausalLM> causal_lm_;
  std::unique_ptr<models::Encoder> encoder_;
  mutable std::mutex tokenizer_mutex_;
  mutable std::optional<Tokenizer> tokenizer_;
  mutable ModelCaches caches_;
};

}  // namespace nib::detail
