#include "runtime/lbfgs.hpp"

#include <cmath>
#include <deque>

namespace nib::detail {

LbfgsResult minimize_lbfgs(Eigen::VectorXd& x, const Objective& f, const LbfgsOptions& o,
                           const std::function<bool(const Eigen::VectorXd&, int)>& after_iteration) {
  LbfgsResult r;
  Eigen::VectorXd g(x.size()), g_new(x.size()), x_new(x.size()), d(x.size());
  double fx = f(x, g);
  std::deque<Eigen::VectorXd> s_hist, y_hist;
  std::deque<double> rho_hist;
  std::vector<double> alpha(static_cast<std::size_t>(o.memory));
  for (r.iterations = 0; r.iterations < o.max_iterations; ++r.iterations) {
    if (g.lpNorm<Eigen::Infinity>() < o.tolerance) {
      r.converged = true;
      break;
    }
    // Two-loop recursion: d = -H g.
    d = -g;
    const auto m = s_hist.size();
    for (std::size_t i = m; i-- > 0;) {
      alpha[i] = rho_hist[i] * s_hist[i].dot(d);
      d -= alpha[i] * y_hist[i];
    }
    if (m > 0) d *= s_hist.back().dot(y_hist.back()) / y_hist.back().squaredNorm();
    for (std::size_t i = 0; i < m; ++i) {
      const double beta = rho_hist[i] * y_hist[i].dot(d);
      d += (alpha[i] - beta) * s_hist[i];
    }
    double slope = g.dot(d);
    if (slope >= 0) {  // not a descent direction (numerical trouble): restart from steepest descent
      s_hist.clear(), y_hist.clear(), rho_hist.clear();
      d = -g;
      slope = -g.squaredNorm();
    }
    // First step: unit length; then the quasi-Newton step of 1.
    double step = m == 0 ? std::min(1.0, 1.0 / std::max(g.norm(), 1e-12)) : 1.0;
    double f_new = 0;
    bool accepted = false;
    for (int tries = 0; tries < 60; ++tries, step *= 0.5) {
      x_new = x + step * d;
      f_new = f(x_new, g_new);
      if (std::isfinite(f_new) && f_new <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;  // no decrease possible at float precision: as converged as it gets
    Eigen::VectorXd s = x_new - x, y = g_new - g;
    const double sy = s.dot(y);
    if (sy > 1e-12 * y.squaredNorm()) {  // keep the curvature pair only when it is positive
      if (static_cast<int>(s_hist.size()) == o.memory)
        s_hist.pop_front(), y_hist.pop_front(), rho_hist.pop_front();
      s_hist.push_back(std::move(s));
      y_hist.push_back(std::move(y));
      rho_hist.push_back(1.0 / sy);
    }
    const double decrease = fx - f_new;
    x.swap(x_new);
    g.swap(g_new);
    fx = f_new;
    if (after_iteration && !after_iteration(x, r.iterations + 1)) {
      ++r.iterations;
      break;
    }
    if (decrease <= 1e-15 * std::max(1.0, std::abs(fx))) {  // the objective stopped moving
      ++r.iterations;
      r.converged = g.lpNorm<Eigen::Infinity>() < o.tolerance;
      break;
    }
  }
  r.loss = fx;
  return r;
}

}  // namespace nib::detail
