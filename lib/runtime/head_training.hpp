#pragma once
// train_head: checks the examples and options, computes features (runtime/head_features), runs
// the cross-validation folds and the final fit (runtime/head_fit), and builds the head.
#include <nib/head.hpp>

namespace nib::detail {

TrainedHead train_head(const Model& model, std::span<const LabelledText> examples,
                       const TrainHeadOptions& options);

}  // namespace nib::detail
