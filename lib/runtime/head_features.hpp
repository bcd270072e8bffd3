#pragma once
// The features a head is trained on: the base model's pooled embeddings of each text, computed in
// batches through Session::embed (the same call classification with the head uses later) and
// kept in the model's FeatureCache, so training again on the same texts runs no forward pass.
#include <nib/head.hpp>

#include <span>
#include <string>
#include <vector>

// Single-threaded Eigen: the products here are small (examples x features) and OpenMP's spinning
// workers cost more than they save, badly so on a loaded machine.
#ifndef EIGEN_DONT_PARALLELIZE
#define EIGEN_DONT_PARALLELIZE
#endif
#include <Eigen/Core>

namespace nib::detail {

struct Features {
  Eigen::MatrixXd x;                // [texts, dim]
  Pooling pooling = Pooling::Mean;  // Auto resolved
  bool normalize = false;
  std::int64_t computed = 0;  // texts that needed a forward pass
};

// `progress` receives [0, 1] over the texts; false cancels. The cache is used only without
// adapters (features under an adapter are the adapter's, not the model's).
Features compute_features(const Model& model, std::span<const std::string> texts,
                          const TrainHeadOptions& options, const std::function<bool(float)>& progress);

}  // namespace nib::detail
