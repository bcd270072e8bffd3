#include "runtime/head_impl.hpp"

#include <algorithm>
#include <cmath>

#include <nib/error.hpp>

namespace nib::detail {

namespace {

// y[r] = b[r] + sum_c w[r, c] x[c]
std::vector<double> affine(const std::vector<float>& w, const std::vector<float>& b,
                           std::span<const double> x) {
  const auto cols = x.size();
  std::vector<double> y(b.begin(), b.end());
  for (std::size_t r = 0; r < y.size(); ++r) {
    double acc = 0;
    for (std::size_t c = 0; c < cols; ++c) acc += static_cast<double>(w[r * cols + c]) * x[c];
    y[r] += acc;
  }
  return y;
}

}  // namespace

std::vector<double> HeadImpl::logits(std::span<const float> features) const {
  if (std::ssize(features) != info.feature_dim) {
    throw Error(Status::InvalidArgument, "head: " + std::to_string(features.size()) +
                                             " features given, the head takes " +
                                             std::to_string(info.feature_dim));
  }
  std::vector<double> x(features.begin(), features.end());
  if (info.hidden_units > 0) {
    x = affine(hidden_weight, hidden_bias, x);
    for (auto& v : x) v = std::max(v, 0.0);
  }
  return affine(out_weight, out_bias, x);
}

Classification HeadImpl::apply(std::span<const float> features) const {
  const auto z = logits(features);
  std::vector<double> p(z.size());
  if (info.multi_label) {
    for (std::size_t i = 0; i < z.size(); ++i) p[i] = 1 / (1 + std::exp(-z[i]));
  } else {
    const double m = *std::max_element(z.begin(), z.end());
    double sum = 0;
    for (std::size_t i = 0; i < z.size(); ++i) sum += p[i] = std::exp(z[i] - m);
    for (auto& v : p) v /= sum;
  }
  Classification c;
  c.labels = info.labels;
  c.logits.assign(z.begin(), z.end());
  c.scores.assign(p.begin(), p.end());
  c.label = info.labels[static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin())];
  return c;
}

void HeadImpl::check_base(const Model& base) const {
  const auto& arch = base.info().architecture;
  if (arch != info.base_architecture) {
    throw Error(Status::InvalidArgument, "head" + (info.path.empty() ? "" : " " + info.path.string()) +
                                             " was trained on a " + info.base_architecture +
                                             " model, not on " + base.info().path.string() + " (" + arch +
                                             ")");
  }
  const auto& sum = base.weights_checksum();
  if (sum != info.base_checksum) {
    throw Error(Status::InvalidArgument, "head" + (info.path.empty() ? "" : " " + info.path.string()) +
                                             " was trained on other weights (base checksum " +
                                             info.base_checksum + ") than " + base.info().path.string() +
                                             " (checksum " + sum + ")");
  }
}

}  // namespace nib::detail
