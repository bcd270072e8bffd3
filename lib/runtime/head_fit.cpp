#include "runtime/head_fit.hpp"

#include <cmath>
#include <limits>

#include "runtime/lbfgs.hpp"

namespace nib::detail {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// Weighted mean cross-entropy of logits z against targets, and dL/dz into dz (normalised by the
// number of examples, so l2 means the same at any data size).
double cross_entropy(const MatrixXd& z, const FitData& data, bool multi_label, MatrixXd* dz) {
  const auto n = z.rows();
  double loss = 0;
  if (dz) dz->resize(z.rows(), z.cols());
  for (Eigen::Index i = 0; i < n; ++i) {
    if (multi_label) {
      for (Eigen::Index k = 0; k < z.cols(); ++k) {
        const double v = z(i, k), t = data.y(i, k), w = data.weights(i, k);
        const double softplus = v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
        loss += w * (softplus - t * v);
        if (dz) (*dz)(i, k) = w * (1 / (1 + std::exp(-v)) - t);
      }
    } else {
      const double m = z.row(i).maxCoeff();
      double sum = 0;
      for (Eigen::Index k = 0; k < z.cols(); ++k) sum += std::exp(z(i, k) - m);
      const double log_sum = m + std::log(sum);
      const double w = data.weights(i, 0);
      for (Eigen::Index k = 0; k < z.cols(); ++k) {
        loss -= w * data.y(i, k) * (z(i, k) - log_sum);
        if (dz) (*dz)(i, k) = w * (std::exp(z(i, k) - log_sum) - data.y(i, k));
      }
    }
  }
  const double scale = 1.0 / static_cast<double>(n);
  if (dz) *dz *= scale;
  return loss * scale;
}

struct Standardiser {
  VectorXd mean, inv_std;
  explicit Standardiser(const MatrixXd& x) {
    const auto n = static_cast<double>(x.rows());
    mean = x.colwise().mean().transpose();
    inv_std.resize(x.cols());
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      const double var = (x.col(c).array() - mean(c)).square().sum() / n;
      // A constant feature carries no information: leave it unscaled rather than divide by ~0.
      inv_std(c) = var > 1e-20 ? 1 / std::sqrt(var) : 1.0;
    }
  }
  MatrixXd apply(const MatrixXd& x) const {
    return ((x.rowwise() - mean.transpose()).array().rowwise() * inv_std.transpose().array()).matrix();
  }
  // Weights w acting on standardised features, as weights + bias on raw ones.
  void fold(MatrixXd& w, VectorXd& b) const {
    w = (w.array().rowwise() * inv_std.transpose().array()).matrix();
    b -= w * mean;
  }
};

FitData standardised(const FitData& d, const Standardiser& s) {
  return {s.apply(d.x), d.y, d.weights};
}

// Tracks the validation loss for early stopping.
struct EarlyStop {
  int patience;
  double best = std::numeric_limits<double>::infinity();
  int since_best = 0;
  bool improved(double loss) {
    if (loss < best - 1e-12) {
      best = loss;
      since_best = 0;
      return true;
    }
    ++since_best;
    return false;
  }
  bool exhausted() const { return since_best >= patience; }
};

FitResult fit_linear(const FitData& train, const FitSettings& s, const FitData* val) {
  const auto d = train.x.cols(), k = train.y.cols();
  auto unpack = [d, k](const VectorXd& theta, MatrixXd& w, VectorXd& b) {
    w = Eigen::Map<const MatrixXd>(theta.data(), k, d);
    b = theta.segment(k * d, k);
  };
  MatrixXd w, dz;
  VectorXd b;
  const Objective objective = [&](const VectorXd& theta, VectorXd& grad) {
    unpack(theta, w, b);
    const MatrixXd z = (train.x * w.transpose()).rowwise() + b.transpose();
    double loss = cross_entropy(z, train, s.multi_label, &dz);
    loss += 0.5 * s.l2 * w.squaredNorm();
    grad.resize(theta.size());
    Eigen::Map<MatrixXd>(grad.data(), k, d) = dz.transpose() * train.x + s.l2 * w;
    grad.segment(k * d, k) = dz.colwise().sum().transpose();
    return loss;
  };
  VectorXd theta = VectorXd::Zero(k * d + k);
  VectorXd best = theta;
  EarlyStop stop{s.patience};
  std::function<bool(const VectorXd&, int)> after;
  if (val) {
    after = [&](const VectorXd& t, int) {
      MatrixXd vw;
      VectorXd vb;
      unpack(t, vw, vb);
      const MatrixXd z = (val->x * vw.transpose()).rowwise() + vb.transpose();
      if (stop.improved(cross_entropy(z, *val, s.multi_label, nullptr))) best = t;
      return !stop.exhausted();
    };
  }
  const auto r = minimize_lbfgs(theta, objective, {s.max_iterations, s.tolerance, 10}, after);
  FitResult out;
  if (val && std::isfinite(stop.best)) theta = best;
  unpack(theta, out.out_weight, out.out_bias);
  VectorXd unused;
  out.loss = objective(theta, unused);
  out.iterations = r.iterations;
  out.converged = r.converged && !(val && stop.exhausted());
  return out;
}

// splitmix64: a seeded, platform-independent stream for the initial weights.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  double normal() { return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform()); }
};

FitResult fit_hidden(const FitData& train, const FitSettings& s, const FitData* val) {
  const auto d = train.x.cols(), k = train.y.cols(), h = static_cast<Eigen::Index>(s.hidden_units);
  Random rng{s.seed};
  FitResult p;
  p.hidden_weight.resize(h, d);
  for (Eigen::Index i = 0; i < p.hidden_weight.size(); ++i) {  // He initialisation for ReLU
    p.hidden_weight.data()[i] = rng.normal() * std::sqrt(2.0 / static_cast<double>(d));
  }
  p.hidden_bias = VectorXd::Zero(h);
  p.out_weight.resize(k, h);
  for (Eigen::Index i = 0; i < p.out_weight.size(); ++i) {
    p.out_weight.data()[i] = rng.normal() * std::sqrt(1.0 / static_cast<double>(h));
  }
  p.out_bias = VectorXd::Zero(k);

  auto forward = [](const FitResult& q, const MatrixXd& x, MatrixXd& act) {
    act = ((x * q.hidden_weight.transpose()).rowwise() + q.hidden_bias.transpose()).cwiseMax(0.0);
    return MatrixXd((act * q.out_weight.transpose()).rowwise() + q.out_bias.transpose());
  };
  auto objective = [&](const FitResult& q, FitResult* grad) {
    MatrixXd act, dz;
    const MatrixXd z = forward(q, train.x, act);
    double loss = cross_entropy(z, train, s.multi_label, grad ? &dz : nullptr);
    loss += 0.5 * s.l2 * (q.hidden_weight.squaredNorm() + q.out_weight.squaredNorm());
    if (grad) {
      grad->out_weight = dz.transpose() * act + s.l2 * q.out_weight;
      grad->out_bias = dz.colwise().sum().transpose();
      const MatrixXd da = ((dz * q.out_weight).array() * (act.array() > 0).cast<double>()).matrix();
      grad->hidden_weight = da.transpose() * train.x + s.l2 * q.hidden_weight;
      grad->hidden_bias = da.colwise().sum().transpose();
    }
    return loss;
  };
  // Adam over the four parameter blocks.
  auto params = [](FitResult& q) {
    return std::array<Eigen::Map<VectorXd>, 4>{
        Eigen::Map<VectorXd>(q.hidden_weight.data(), q.hidden_weight.size()),
        Eigen::Map<VectorXd>(q.hidden_bias.data(), q.hidden_bias.size()),
        Eigen::Map<VectorXd>(q.out_weight.data(), q.out_weight.size()),
        Eigen::Map<VectorXd>(q.out_bias.data(), q.out_bias.size())};
  };
  FitResult g, m1 = p, m2 = p, best = p;
  for (auto& v : params(m1)) v.setZero();
  for (auto& v : params(m2)) v.setZero();
  EarlyStop stop{s.patience};
  constexpr double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  int it = 0;
  bool converged = false;
  for (; it < s.max_iterations; ++it) {
    objective(p, &g);
    auto gp = params(g);
    double gmax = 0;
    for (auto& v : gp) gmax = std::max(gmax, v.size() ? v.lpNorm<Eigen::Infinity>() : 0.0);
    if (gmax < s.tolerance) {
      converged = true;
      break;
    }
    const double c1 = 1 - std::pow(beta1, it + 1), c2 = 1 - std::pow(beta2, it + 1);
    auto pp = params(p), a = params(m1), b = params(m2);
    for (std::size_t j = 0; j < 4; ++j) {
      a[j] = beta1 * a[j] + (1 - beta1) * gp[j];
      b[j] = beta2 * b[j] + (1 - beta2) * gp[j].cwiseAbs2();
      pp[j].array() -= s.learning_rate * (a[j].array() / c1) / ((b[j].array() / c2).sqrt() + eps);
    }
    if (val) {
      MatrixXd act;
      if (stop.improved(cross_entropy(forward(p, val->x, act), *val, s.multi_label, nullptr))) best = p;
      if (stop.exhausted()) {
        ++it;
        break;
      }
    }
  }
  if (val && std::isfinite(stop.best)) p = best;
  p.loss = objective(p, nullptr);
  p.iterations = it;
  p.converged = converged;
  return p;
}

}  // namespace

FitResult fit_head(const FitData& train, const FitSettings& s, const FitData* validation) {
  const Standardiser st(train.x);
  const FitData x = standardised(train, st);
  std::optional<FitData> v;
  if (validation) v = standardised(*validation, st);
  FitResult r =
      s.hidden_units > 0 ? fit_hidden(x, s, v ? &*v : nullptr) : fit_linear(x, s, v ? &*v : nullptr);
  if (s.hidden_units > 0) {
    st.fold(r.hidden_weight, r.hidden_bias);
  } else {
    st.fold(r.out_weight, r.out_bias);
  }
  return r;
}

MatrixXd head_logits(const FitResult& fit, const MatrixXd& x) {
  if (fit.hidden_weight.size() == 0)
    return (x * fit.out_weight.transpose()).rowwise() + fit.out_bias.transpose();
  const MatrixXd act =
      ((x * fit.hidden_weight.transpose()).rowwise() + fit.hidden_bias.transpose()).cwiseMax(0.0);
  return (act * fit.out_weight.transpose()).rowwise() + fit.out_bias.transpose();
}

}  // namespace nib::detail
