#pragma once
// A task head's weights and the forward pass that turns one pooled embedding into scores. The
// weights act on raw features: training standardises features and folds the scaling back in.
#include <nib/head.hpp>

#include <span>
#include <vector>

namespace nib::detail {

class HeadImpl {
 public:
  HeadInfo info;
  std::vector<float> hidden_weight;  // [hidden_units, feature_dim] (empty for a linear head)
  std::vector<float> hidden_bias;    // [hidden_units]
  std::vector<float> out_weight;     // [labels, hidden_units or feature_dim]
  std::vector<float> out_bias;       // [labels]

  std::int64_t out_inputs() const { return info.hidden_units > 0 ? info.hidden_units : info.feature_dim; }
  // Logits (in double: the reference computations of the tests are double too).
  std::vector<double> logits(std::span<const float> features) const;
  // Softmax or sigmoid scores, the best label (multi-label: the highest-scoring one; a caller
  // wanting every label above 0.5 reads scores).
  Classification apply(std::span<const float> features) const;
  // Throws InvalidArgument when `base` is not the model the head was trained on.
  void check_base(const Model& base) const;
};

}  // namespace nib::detail
