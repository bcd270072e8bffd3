// The prepacked f32 copy (oneDNN's layout, fixed-M primitives) against a double reference: M not a
// multiple of 16, M above one chunk, N and K off the blocking, strides, bias, accumulate and every
// epilogue; and that it costs what resident_bytes says.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "kernels/kernels.hpp"
#include "kernels/onednn_f32_packed.hpp"
#include "random_floats.hpp"

using nib::testing::random_floats;

namespace nk = nib::kernels;

namespace {

double activate(nk::Epilogue e, double v) {
  switch (e) {
    case nk::Epilogue::GeluErf: return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
    case nk::Epilogue::GeluTanh:
      return 0.5 * v * (1 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
    case nk::Epilogue::Relu: return v > 0 ? v : 0;
    case nk::Epilogue::Silu: return v / (1 + std::exp(-v));
    case nk::Epilogue::None: break;
  }
  return v;
}

void check_packed(std::int64_t m, std::int64_t k, std::int64_t n, nk::Layout layout, bool with_bias, bool acc,
                  nk::Epilogue e, std::int64_t pad = 0) {
  CAPTURE(m);
  CAPTURE(k);
  CAPTURE(n);
  CAPTURE(layout == nk::Layout::OutIn);
  CAPTURE(with_bias);
  CAPTURE(acc);
  CAPTURE(static_cast<int>(e));
  CAPTURE(pad);
  const std::int64_t ldx = k + pad, ldy = n + pad;
  const auto x = random_floats(static_cast<std::size_t>(m * ldx), 1);
  const auto wv = random_floats(static_cast<std::size_t>(n * k), 2);
  const auto bias = random_floats(static_cast<std::size_t>(n), 3);
  const auto y0 = random_floats(static_cast<std::size_t>(m * ldy), 4);
  const auto p = nk::pack_weight(wv.data(), n, k, layout, nk::Storage::F32);
  REQUIRE(p.view.data == wv.data());  // M = 1 still reads the f32 values in place
  auto y = y0;
  nk::matmul(x.data(), m, p.view, with_bias ? bias.data() : nullptr, y.data(), acc, ldx, ldy, e);
  int bad = 0;
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double ref = 0, mag = 0;
      for (std::int64_t kk = 0; kk < k; ++kk) {
        const double t =
            double(x[i * ldx + kk]) * (layout == nk::Layout::OutIn ? wv[j * k + kk] : wv[kk * n + j]);
        ref += t;
        mag += std::abs(t);
      }
      if (with_bias) ref += bias[j], mag += std::abs(bias[j]);
      if (acc) ref += y0[i * ldy + j], mag += std::abs(y0[i * ldy + j]);
      ref = activate(e, ref);
      const double got = y[i * ldy + j];
      if (std::abs(got - ref) > 1e-5 * std::max(mag, 1.0) && ++bad <= 3)
        FAIL_CHECK("y[" << i << "," << j << "] = " << got << ", expected " << ref);
    }
    for (std::int64_t j = n; j < ldy; ++j) CHECK(y[i * ldy + j] == y0[i * ldy + j]);  // padding untouched
  }
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("f32 packed: a copy exactly where oneDNN prefers its own layout, counted in resident_bytes") {
  const auto wv = random_floats(768 * 3072, 2);
  const auto p = nk::pack_weight(wv.data(), 3072, 768, nk::Layout::OutIn, nk::Storage::F32);
  CHECK(p.view.storage == nk::Storage::F32);
  CHECK(nk::weight_bytes(p.view) == 4 * 768 * 3072);
  if (!p.f32_gemm) {
    MESSAGE("oneDNN prefers the plain f32 layout on this CPU (e.g. AVX2): no prepacked copy");
    CHECK(nk::resident_bytes(p.view) == nk::weight_bytes(p.view));
    return;
  }
  const auto copy = nk::onednn::f32_gemm_bytes(*p.f32_gemm);
  CHECK(copy >= 4 * 768 * 3072);
  CHECK(copy <= 4 * 768 * 3072 * 11 / 10);
  CHECK(nk::resident_bytes(p.view) == 4 * 768 * 3072 + copy);
}

TEST_CASE("f32 packed: matches the reference off the blocking, across chunks, with bias and accumulate") {
  for (const std::int64_t m : {2, 7, 16, 17, 33, 257, 300})
    for (const std::int64_t k : {7, 64, 100})
      for (const std::int64_t n : {1, 17, 64, 100})
        for (const auto layout : {nk::Layout::OutIn, nk::Layout::InOut})
          for (const bool acc : {false, true})
            check_packed(m, k, n, layout, m % 2 == 1, acc, nk::Epilogue::None);
  // Above one chunk of 1024 rows: full chunk, granule-rounded rest, padded tail (1024 + 128 + 16 + 5).
  check_packed(1173, 100, 72, nk::Layout::OutIn, true, true, nk::Epilogue::None);
  check_packed(1173, 100, 72, nk::Layout::InOut, false, false, nk::Epilogue::GeluErf, 3);
  check_packed(2048, 33, 40, nk::Layout::OutIn, true, false, nk::Epilogue::None);
  // bert-base sized K and N, strided rows.
  check_packed(37, 768, 768, nk::Layout::OutIn, true, true, nk::Epilogue::None, 5);
}

TEST_CASE("f32 packed: every epilogue is fused, with and without the residual sum") {
  for (const auto e : {nk::Epilogue::GeluErf, nk::Epilogue::GeluTanh, nk::Epilogue::Relu, nk::Epilogue::Silu})
    for (const std::int64_t m : {3, 17, 48})
      for (const bool acc : {false, true})
        check_packed(m, 72, 100, nk::Layout::OutIn, true, acc, e, acc ? 3 : 0);
}

TEST_CASE("f32 packed: a bounded number of primitives serves every M") {
  const auto wv = random_floats(64 * 80, 2);
  const auto p = nk::pack_weight(wv.data(), 80, 64, nk::Layout::OutIn, nk::Storage::F32);
  if (!p.f32_gemm) return;
  std::vector<float> x(2000 * 64, 0.5f), y(2000 * 80);
  const auto before = nk::onednn::cached_packed_primitives();
  for (std::int64_t m = 2; m <= 2000; m += 1) nk::matmul(x.data(), m, p.view, nullptr, y.data());
  // Multiples of 16 up to 256 and of 128 up to 1024.
  CHECK(nk::onednn::cached_packed_primitives() - before <= 16 + 8);
}
