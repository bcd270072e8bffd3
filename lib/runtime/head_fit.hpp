#pragma once
// Fitting a head's weights to features: L2-regularised, weighted cross-entropy over softmax (one
// label per example) or per-label sigmoids. Linear heads by L-BFGS, one-hidden-layer heads by
// full-batch Adam. Features are standardised inside the fit and the scaling folded back into the
// returned weights, so they act on raw features.
#include <cstdint>
#include <optional>

// Single-threaded Eigen: the products here are small (examples x features) and OpenMP's spinning
// workers cost more than they save, badly so on a loaded machine.
#ifndef EIGEN_DONT_PARALLELIZE
#define EIGEN_DONT_PARALLELIZE
#endif
#include <Eigen/Core>

namespace nib::detail {

struct FitData {
  Eigen::MatrixXd x;        // [n, d] raw features
  Eigen::MatrixXd y;        // [n, k] targets: one-hot (softmax) or multi-hot (sigmoid)
  Eigen::MatrixXd weights;  // [n, k] per loss term (softmax: the same value across a row)
};

struct FitSettings {
  bool multi_label = false;
  int hidden_units = 0;
  double l2 = 1e-2;
  int max_iterations = 1000;
  double tolerance = 1e-6;
  double learning_rate = 1e-2;
  int patience = 20;
  std::uint64_t seed = 0;
};

struct FitResult {
  Eigen::MatrixXd hidden_weight;  // [h, d] (empty: linear)
  Eigen::VectorXd hidden_bias;
  Eigen::MatrixXd out_weight;  // [k, h or d]
  Eigen::VectorXd out_bias;
  int iterations = 0;
  bool converged = false;
  double loss = 0;  // the training objective at the returned weights
};

// With `validation`, stops when the validation loss has not improved for settings.patience
// iterations and returns the best weights seen.
FitResult fit_head(const FitData& train, const FitSettings& settings, const FitData* validation = nullptr);

// Logits [n, k] of raw features under fitted weights.
Eigen::MatrixXd head_logits(const FitResult& fit, const Eigen::MatrixXd& x);

}  // namespace nib::detail
