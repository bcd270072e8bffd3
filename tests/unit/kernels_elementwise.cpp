// Norms, activations, softmax and RoPE against straightforward double-precision references.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "kernels/kernels.hpp"
#include "random_floats.hpp"

using nib::testing::random_floats;

namespace nk = nib::kernels;

namespace {

// |got - ref| <= rel·|ref| + abs, counting failures and reporting the first few.
int count_bad(const std::vector<float>& got, const std::vector<double>& ref, double rel, double abs_tol = 0) {
  int bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!(std::abs(got[i] - ref[i]) <= rel * std::abs(ref[i]) + abs_tol)) {
      if (++bad <= 3) FAIL_CHECK("[" << i << "] got " << got[i] << ", expected " << ref[i]);
    }
  return bad;
}

const std::int64_t kDims[] = {1, 7, 8, 64, 100, 768};

}  // namespace

TEST_CASE("kernels: rms_norm and layer_norm") {
  for (const std::int64_t dim : kDims)
    for (const std::int64_t rows : {1, 3, 130}) {
      CAPTURE(dim);
      CAPTURE(rows);
      const auto x = random_floats(static_cast<std::size_t>(rows * dim), 1, -3.f, 5.f);
      const auto g = random_floats(static_cast<std::size_t>(dim), 2);
      const auto b = random_floats(static_cast<std::size_t>(dim), 3);
      const float eps = 1e-5f;
      std::vector<double> rms(x.size()), ln(x.size());
      for (std::int64_t r = 0; r < rows; ++r) {
        const float* xr = x.data() + r * dim;
        double ss = 0, mean = 0, var = 0;
        for (std::int64_t i = 0; i < dim; ++i) ss += double(xr[i]) * xr[i], mean += xr[i];
        mean /= dim;
        for (std::int64_t i = 0; i < dim; ++i) var += (xr[i] - mean) * (xr[i] - mean);
        var /= dim;
        for (std::int64_t i = 0; i < dim; ++i) {
          rms[r * dim + i] = xr[i] / std::sqrt(ss / dim + eps) * g[i];
          ln[r * dim + i] = (xr[i] - mean) / std::sqrt(var + eps) * g[i] + b[i];
        }
      }
      std::vector<float> y(x.size());
      nk::rms_norm(x.data(), g.data(), y.data(), rows, dim, eps);
      CHECK(count_bad(y, rms, 1e-5, 1e-6) == 0);
      nk::layer_norm(x.data(), g.data(), b.data(), y.data(), rows, dim, eps);
      CHECK(count_bad(y, ln, 1e-5, 1e-6) == 0);
      auto inplace = x;  // y may alias x
      nk::rms_norm(inplace.data(), g.data(), inplace.data(), rows, dim, eps);
      CHECK(count_bad(inplace, rms, 1e-5, 1e-6) == 0);
    }
}

TEST_CASE("kernels: activations match the double formulas over a wide range") {
  struct Case {
    const char* name;
    void (*fn)(float*, std::int64_t);
    std::function<double(double)> ref;
  };
  const double k = std::sqrt(2.0 / M_PI);
  const Case cases[] = {
      {"gelu_erf", nk::gelu_erf, [](double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }},
      {"gelu_tanh", nk::gelu_tanh,
       // 0.5x(1 + tanh(u)) written as x / (1 + e^(-2u)): the same function without the cancellation
       // that makes the literal form lose everything below -10 even in double.
       [k](double x) { return x / (1 + std::exp(-2 * k * (x + 0.044715 * x * x * x))); }},
      {"silu", nk::silu, [](double x) { return x / (1 + std::exp(-x)); }},
      {"relu", nk::relu, [](double x) { return x > 0 ? x : 0.0; }},
      {"tanh", nk::tanh_inplace, [](double x) { return std::tanh(x); }},
  };
  // Dense sweep over [-20, 20], tiny values, extremes, and a long buffer (parallel path).
  std::vector<float> xs;
  for (int i = -40000; i <= 40000; ++i) xs.push_back(static_cast<float>(i) * 5e-4f);
  for (float v :
       {1e-30f, -1e-30f, 1e-7f, -1e-7f, 0.f, -0.f, 30.f, -30.f, 88.f, -88.f, 100.f, -100.f, 1e4f, -1e4f})
    xs.push_back(v);
  const auto big = random_floats(100003, 9, -12.f, 12.f);
  xs.insert(xs.end(), big.begin(), big.end());
  for (const auto& c : cases) {
    CAPTURE(c.name);
    for (const std::size_t n : {xs.size(), std::size_t{1}, std::size_t{7}, std::size_t{13}}) {
      std::vector<float> y(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(n));
      std::vector<double> ref(n);
      for (std::size_t i = 0; i < n; ++i) ref[i] = c.ref(y[i]);
      c.fn(y.data(), static_cast<std::int64_t>(n));
      // Relative accuracy everywhere (these forms avoid 1 + erf / 1 + tanh cancellation), with an
      // absolute floor far below anything that can matter.
      CHECK(count_bad(y, ref, 1e-5, 1e-30) == 0);
    }
  }
}

TEST_CASE("kernels: silu_mul and add_inplace") {
  for (const std::int64_t n : {1, 7, 8, 100, 768, 70000}) {
    const auto g = random_floats(static_cast<std::size_t>(n), 1, -10.f, 10.f);
    const auto u = random_floats(static_cast<std::size_t>(n), 2);
    std::vector<double> ref(static_cast<std::size_t>(n)), sum(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) ref[i] = g[i] / (1 + std::exp(-double(g[i]))) * u[i];
    for (std::int64_t i = 0; i < n; ++i) sum[i] = double(g[i]) + u[i];
    std::vector<float> out(static_cast<std::size_t>(n));
    nk::silu_mul(g.data(), u.data(), out.data(), n);
    CHECK(count_bad(out, ref, 1e-5, 1e-37) == 0);
    auto alias = g;  // out may alias gate
    nk::silu_mul(alias.data(), u.data(), alias.data(), n);
    CHECK(count_bad(alias, ref, 1e-5, 1e-37) == 0);
    auto y = g;
    nk::add_inplace(y.data(), u.data(), n);
    CHECK(count_bad(y, sum, 1e-7) == 0);
  }
}

TEST_CASE("kernels: softmax_rows") {
  for (const std::int64_t cols : kDims)
    for (const std::int64_t rows : {1, 3, 100}) {
      CAPTURE(cols);
      auto x = random_floats(static_cast<std::size_t>(rows * cols), 4, -30.f, 30.f);
      if (cols > 1) x[1] = -INFINITY;  // masked entries become exactly 0
      std::vector<double> ref(x.size());
      for (std::int64_t r = 0; r < rows; ++r) {
        double mx = -INFINITY, s = 0;
        for (std::int64_t i = 0; i < cols; ++i) mx = std::max(mx, double(x[r * cols + i]));
        for (std::int64_t i = 0; i < cols; ++i) s += std::exp(x[r * cols + i] - mx);
        for (std::int64_t i = 0; i < cols; ++i) ref[r * cols + i] = std::exp(x[r * cols + i] - mx) / s;
      }
      nk::softmax_rows(x.data(), rows, cols);
      CHECK(count_bad(x, ref, 1e-5, 1e-37) == 0);
      if (cols > 1) CHECK(x[1] == 0.f);
    }
}

TEST_CASE("kernels: rope (rotate-half, f32 angles, scale, strided rows)") {
  for (const std::int64_t hd : {2, 8, 14, 64, 128}) {
    CAPTURE(hd);
    const std::int64_t tokens = 5, heads = 3, stride = heads * hd + 4;
    const std::int64_t positions[tokens] = {0, 1, 7, 300, 4095};
    std::vector<float> inv(static_cast<std::size_t>(hd / 2));
    for (std::int64_t i = 0; i < hd / 2; ++i) inv[i] = static_cast<float>(std::pow(10000.0, -2.0 * i / hd));
    auto x = random_floats(static_cast<std::size_t>(tokens * stride), 5);
    const auto x0 = x;
    const float scale = 1.25f;
    nk::rope(x.data(), tokens, heads, hd, stride, positions, inv.data(), scale);
    std::vector<double> ref(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) ref[i] = x0[i];
    for (std::int64_t t = 0; t < tokens; ++t)
      for (std::int64_t h = 0; h < heads; ++h)
        for (std::int64_t i = 0; i < hd / 2; ++i) {
          const double a = static_cast<float>(static_cast<float>(positions[t]) * inv[i]);  // HF: f32 angle
          const std::size_t p = static_cast<std::size_t>(t * stride + h * hd + i), q = p + hd / 2;
          ref[p] = (x0[p] * std::cos(a) - x0[q] * std::sin(a)) * scale;
          ref[q] = (x0[q] * std::cos(a) + x0[p] * std::sin(a)) * scale;
        }
    CHECK(count_bad(x, ref, 1e-5, 1e-6) == 0);
    // The two-step form (one table per forward pass, applied per layer) is the same computation.
    auto y = x0;
    std::vector<float> table(static_cast<std::size_t>(tokens * hd));
    nk::rope_table(positions, tokens, inv.data(), hd / 2, scale, table.data());
    nk::rope_apply(y.data(), tokens, heads, hd, stride, table.data());
    CHECK(y == x);
  }
}
