#pragma once
// A loaded LoRA adapter: its deltas and replaced modules, bound to module ids of one base model.
#include <nib/adapter.hpp>

#include <vector>

#include "models/blocks.hpp"
#include "runtime/model_impl.hpp"

namespace nib::detail {

class AdapterImpl {
 public:
  AdapterImpl(const Model& base, const std::filesystem::path& dir);

  struct Delta {
    int module = -1;
    std::int64_t rank = 0;
    float scale = 1.f;
    std::vector<float> a;  // [rank, in]
    std::vector<float> b;  // [out, rank]
  };
  struct Replacement {  // modules_to_save: the adapter's own copy of a base module
    int module = -1;
    std::vector<float> weight, bias;
    models::Linear linear;
  };

  const AdapterInfo& info() const { return info_; }
  const ModelImpl* base() const { return &base_.impl(); }
  const std::vector<Delta>& deltas() const { return deltas_; }
  const std::vector<Replacement>& replacements() const { return replacements_; }

 private:
  Model base_;  // keeps the base alive and identifies it
  AdapterInfo info_;
  std::vector<Delta> deltas_;
  std::vector<Replacement> replacements_;
};

}  // namespace nib::detail
