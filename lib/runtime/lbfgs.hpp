#pragma once
// Limited-memory BFGS for smooth (here: convex) objectives, with a backtracking Armijo line search.
// Fully deterministic: no randomness, fixed operation order.
#include <functional>

// Single-threaded Eigen: the products here are small (examples x features) and OpenMP's spinning
// workers cost more than they save, badly so on a loaded machine.
#ifndef EIGEN_DONT_PARALLELIZE
#define EIGEN_DONT_PARALLELIZE
#endif
#include <Eigen/Core>

namespace nib::detail {

struct LbfgsOptions {
  int max_iterations = 1000;
  double tolerance = 1e-6;  // stop when max |gradient| falls below this
  int memory = 10;          // correction pairs kept
};

struct LbfgsResult {
  int iterations = 0;
  bool converged = false;
  double loss = 0;
};

// value_and_gradient(x, grad) returns f(x) and writes its gradient. after_iteration(x, iteration)
// runs after each accepted step; returning false stops the search (early stopping).
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& grad)>;
LbfgsResult minimize_lbfgs(Eigen::VectorXd& x, const Objective& value_and_gradient,
                           const LbfgsOptions& options,
                           const std::function<bool(const Eigen::VectorXd&, int)>& after_iteration = {});

}  // namespace nib::detail
