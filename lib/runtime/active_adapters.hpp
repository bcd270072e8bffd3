#pragma once
// A Session's active adapter set, flattened per module id for the forward pass. Built once when
// the set changes (cheap: one pass over the adapters' tensors, no weight copies).
#include <nib/adapter.hpp>

#include <memory>
#include <span>
#include <vector>

#include "models/blocks.hpp"
#include "runtime/adapter_impl.hpp"

namespace nib::detail {

class ActiveAdapters final : public models::AdapterView {
 public:
  ActiveAdapters(const ModelImpl& base, std::span<const AdapterRef> refs);

  std::span<const models::LoraDelta> deltas(int module) const override;
  const models::Linear* replacement(int module) const override;
  std::int64_t max_total_rank() const override { return max_total_rank_; }
  bool empty() const { return refs_.empty(); }

 private:
  std::vector<std::shared_ptr<const AdapterImpl>> refs_;  // keeps the adapters alive
  std::vector<std::vector<models::LoraDelta>> deltas_;    // by module id
  std::vector<const models::Linear*> replacements_;       // by module id
  std::int64_t max_total_rank_ = 0;
};

}  // namespace nib::detail
