// matmul (both weight layouts, GEMV and oneDNN paths, bias, accumulate, strides) and gemm against a
// double-precision reference.
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <thread>
#include <vector>

#include "kernels/gemv_avx2.hpp"
#include "kernels/kernels.hpp"
#include "kernels/onednn_matmul.hpp"
#include "random_floats.hpp"

using nib::testing::random_floats;

namespace nk = nib::kernels;

namespace {

using MatmulFn = void (*)(const float*, std::int64_t, const nk::Weight&, const float*, float*, bool,
                          std::int64_t, std::int64_t);

// Runs fn and checks every output against the double reference, relative to Σ|x·w| (the size of the
// terms, which is what bounds any f32 summation order's error).
void check_matmul(MatmulFn fn, std::int64_t m, std::int64_t k, std::int64_t n, nk::Layout layout,
                  bool with_bias, bool accumulate, std::int64_t ldx_pad = 0, std::int64_t ldy_pad = 0) {
  CAPTURE(m);
  CAPTURE(k);
  CAPTURE(n);
  CAPTURE(layout == nk::Layout::OutIn);
  CAPTURE(with_bias);
  CAPTURE(accumulate);
  const std::int64_t ldx = k + ldx_pad, ldy = n + ldy_pad;
  const auto x = random_floats(static_cast<std::size_t>(m * ldx), 1);
  const auto wv = random_floats(static_cast<std::size_t>(n * k), 2);
  const auto bias = random_floats(static_cast<std::size_t>(n), 3);
  const auto y0 = random_floats(static_cast<std::size_t>(m * ldy), 4);
  auto y = y0;
  const nk::Weight w{wv.data(), n, k, layout};
  // The public matmul defaults ldx/ldy (0); the internal paths take them explicitly.
  const bool defaults = fn == static_cast<MatmulFn>(nk::matmul) && ldx_pad == 0 && ldy_pad == 0;
  fn(x.data(), m, w, with_bias ? bias.data() : nullptr, y.data(), accumulate, defaults ? 0 : ldx,
     defaults ? 0 : ldy);
  int bad = 0;
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double ref = 0, mag = 0;
      for (std::int64_t kk = 0; kk < k; ++kk) {
        const double wjk = layout == nk::Layout::OutIn ? wv[j * k + kk] : wv[kk * n + j];
        ref += double(x[i * ldx + kk]) * wjk;
        mag += std::abs(double(x[i * ldx + kk]) * wjk);
      }
      if (with_bias) ref += bias[j], mag += std::abs(bias[j]);
      if (accumulate) ref += y0[i * ldy + j], mag += std::abs(y0[i * ldy + j]);
      const double got = y[i * ldy + j];
      if (std::abs(got - ref) > 1e-5 * std::max(mag, std::abs(ref)) + 1e-30) {
        if (++bad <= 3) FAIL_CHECK("y[" << i << "," << j << "] = " << got << ", expected " << ref);
      }
    }
    // Padding between rows is never written.
    for (std::int64_t j = n; j < ldy; ++j) CHECK(y[i * ldy + j] == y0[i * ldy + j]);
  }
  CHECK(bad == 0);
}

void sweep(MatmulFn fn, std::initializer_list<std::int64_t> ms) {
  for (const std::int64_t m : ms)
    for (const std::int64_t k : {1, 7, 8, 64, 100, 768})
      for (const std::int64_t n : {1, 7, 8, 64, 100, 768})
        for (const auto layout : {nk::Layout::OutIn, nk::Layout::InOut})
          for (const bool bias : {false, true})
            for (const bool acc : {false, true}) {
              if ((k == 768 || n == 768) && m == 128 && (bias != acc)) continue;  // keep the sweep quick
              check_matmul(fn, m, k, n, layout, bias, acc);
            }
}

}  // namespace

TEST_CASE("kernels: matmul (dispatch) matches the double reference") {
  sweep(nk::matmul, {1, 3, 16, 128});
}

TEST_CASE("kernels: the GEMV path matches the reference at every M") {
  sweep(nk::gemv::matmul, {1, 2, 3, 5, 16});
}

TEST_CASE("kernels: the oneDNN path matches the reference at every M") {
  sweep(nk::onednn::matmul, {1, 3, 16});
}

TEST_CASE("kernels: matmul honours ldx/ldy on both paths") {
  for (const std::int64_t m : {1, 3, 16, 40})
    for (const auto layout : {nk::Layout::OutIn, nk::Layout::InOut})
      for (const bool acc : {false, true}) check_matmul(nk::matmul, m, 100, 72, layout, true, acc, 5, 3);
}

TEST_CASE("kernels: matmul with large K and N (thread split, tiles)") {
  for (const auto layout : {nk::Layout::OutIn, nk::Layout::InOut}) {
    check_matmul(nk::matmul, 1, 2048, 4100, layout, true, false);
    check_matmul(nk::matmul, 2, 3072, 770, layout, false, true);
    check_matmul(nk::matmul, 33, 960, 2560, layout, true, false);
  }
}

// InOut at M = 1 (GPT-2's Conv1D decode): K split between threads, each walking its rows in groups
// of four over the whole width in steps of 16 columns, then 8-column and masked tails; parts of the
// split may be empty. Shapes on and off those widths, big enough to run on every thread, and on one.
TEST_CASE("kernels: InOut M = 1 row kernel on and off its row group and column step widths") {
  for (const int threads : {1, 0}) {
    CAPTURE(threads);
    nk::set_num_threads(threads);
    for (const std::int64_t k : {1, 3, 5, 130, 131})
      for (const std::int64_t n : {8, 17, 24, 30, 254, 259})
        for (const bool acc : {false, true}) check_matmul(nk::matmul, 1, k, n, nk::Layout::InOut, !acc, acc);
    check_matmul(nk::matmul, 1, 1023, 2304, nk::Layout::InOut, true, false);
  }
  nk::set_num_threads(0);
}

TEST_CASE("kernels: one oneDNN primitive serves every M, and the cache is thread-safe") {
  const auto before = nk::onednn::cached_primitives();
  for (const std::int64_t m : {5, 17, 64, 200})
    check_matmul(nk::onednn::matmul, m, 96, 40, nk::Layout::InOut, true, false);
  CHECK(nk::onednn::cached_primitives() <= before + 1);

  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t, &ok] {
      nk::set_num_threads(1 + t % 2);
      const std::int64_t k = 48 + 16 * t, n = 80, m = 20;
      const auto x = random_floats(static_cast<std::size_t>(m * k), 10 + t);
      const auto wv = random_floats(static_cast<std::size_t>(n * k), 20 + t);
      std::vector<float> y(static_cast<std::size_t>(m * n));
      bool good = true;
      for (int rep = 0; rep < 20; ++rep) {
        nk::onednn::matmul(x.data(), m, {wv.data(), n, k, nk::Layout::OutIn}, nullptr, y.data(), false, k, n);
        for (std::int64_t i = 0; i < m && good; ++i)
          for (std::int64_t j = 0; j < n; ++j) {
            double ref = 0;
            for (std::int64_t kk = 0; kk < k; ++kk) ref += double(x[i * k + kk]) * wv[j * k + kk];
            if (std::abs(y[i * n + j] - ref) > 1e-4) good = false;
          }
      }
      ok[t] = good;
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) CHECK(ok[t] == 1);
}

TEST_CASE("kernels: gemm, both op(b), alpha/beta, strided views") {
  for (const bool bt : {false, true})
    for (const std::int64_t m : {1, 3, 16, 65})
      for (const std::int64_t n : {1, 7, 64, 100})
        for (const std::int64_t k : {1, 8, 100}) {
          CAPTURE(bt);
          CAPTURE(m);
          CAPTURE(n);
          CAPTURE(k);
          const std::int64_t lda = k + 3, ldb = (bt ? k : n) + 5, ldc = n + 2;
          const auto a = random_floats(static_cast<std::size_t>(m * lda), 5);
          const auto b = random_floats(static_cast<std::size_t>((bt ? n : k) * ldb), 6);
          const auto c0 = random_floats(static_cast<std::size_t>(m * ldc), 7);
          auto c = c0;
          const float alpha = 0.5f, beta = n % 2 ? 0.f : 1.5f;
          nk::gemm(a.data(), lda, b.data(), ldb, bt, c.data(), ldc, m, n, k, alpha, beta);
          int bad = 0;
          for (std::int64_t i = 0; i < m; ++i)
            for (std::int64_t j = 0; j < n; ++j) {
              double ref = 0, mag = 0;
              for (std::int64_t kk = 0; kk < k; ++kk) {
                const double t = double(a[i * lda + kk]) * (bt ? b[j * ldb + kk] : b[kk * ldb + j]);
                ref += t, mag += std::abs(t);
              }
              ref = alpha * ref + (beta != 0.f ? beta * c0[i * ldc + j] : 0.0);
              mag = alpha * mag + std::abs(beta * c0[i * ldc + j]);
              if (std::abs(c[i * ldc + j] - ref) > 1e-5 * mag + 1e-30) ++bad;
            }
          CHECK(bad == 0);
        }
}

TEST_CASE("kernels: set_num_threads is per calling thread") {
  nk::set_num_threads(1);
  CHECK(nk::num_threads() == 1);
  int other = 0;
  std::thread([&other] {
    nk::set_num_threads(2);
    other = nk::num_threads();
  }).join();
  // OMP_THREAD_LIMIT caps it (oneDNN would otherwise split work for threads the team never gets).
  CHECK(other == std::min(2, omp_get_thread_limit()));
  CHECK(nk::num_threads() == 1);
  nk::set_num_threads(0);
  CHECK(nk::num_threads() >= 1);
}

TEST_CASE("kernels: matmul_many equals one matmul per projection (GEMV and oneDNN paths)") {
  // q|k|v-like shapes of both layouts, with and without bias, including an odd N and an empty one.
  const std::int64_t k = 96;
  const std::int64_t ns[] = {96, 37, 32, 0};
  std::vector<std::vector<float>> ws, bs;
  for (std::size_t i = 0; i < 4; ++i) {
    ws.push_back(random_floats(static_cast<std::size_t>(ns[i] * k), 10 + static_cast<unsigned>(i)));
    bs.push_back(random_floats(static_cast<std::size_t>(ns[i]), 20 + static_cast<unsigned>(i)));
  }
  for (const std::int64_t m : {1, 2, 5})
    for (const auto layout : {nk::Layout::OutIn, nk::Layout::InOut}) {
      CAPTURE(m);
      const auto x = random_floats(static_cast<std::size_t>(m * k), 1);
      std::vector<std::vector<float>> got(4), want(4);
      std::vector<nk::Projection> ps;
      for (std::size_t i = 0; i < 4; ++i) {
        got[i].assign(static_cast<std::size_t>(m * ns[i]), 7.f);
        want[i].assign(static_cast<std::size_t>(m * ns[i]), 7.f);
        const nk::Weight w{ws[i].data(), ns[i], k, layout};
        const float* bias = i % 2 ? nullptr : bs[i].data();
        ps.push_back({w, bias, got[i].data()});
        nk::matmul(x.data(), m, w, bias, want[i].data());
      }
      nk::matmul_many(x.data(), m, ps);
      for (std::size_t i = 0; i < 4; ++i) CHECK(got[i] == want[i]);  // same kernels, same sums
    }
}

TEST_CASE("kernels: a matmul epilogue equals the matmul followed by the activation, on every path") {
  // M = 1 runs the GEMV (then the activation), M > 1 oneDNN with a fused post-op (f32, and bf16
  // where the CPU has a bf16 matmul, else widening); int8 at M > 1 the int8 matmul, then the activation. Each
  // is compared with the same matmul followed by apply_epilogue.
  const std::int64_t k = 72, n = 100, ldy = n + 3;
  const auto wv = random_floats(static_cast<std::size_t>(n * k), 2);
  const auto bias = random_floats(static_cast<std::size_t>(n), 3);
  const auto bf16 = nk::pack_weight(wv.data(), n, k, nk::Layout::OutIn, nk::Storage::BF16);
  const auto int8 = nk::pack_weight(wv.data(), n, k, nk::Layout::OutIn, nk::Storage::Int8);
  for (const auto e : {nk::Epilogue::GeluErf, nk::Epilogue::GeluTanh, nk::Epilogue::Relu, nk::Epilogue::Silu})
    for (const std::int64_t m : {1, 2, 17})
      for (const auto& w : {nk::Weight{wv.data(), n, k, nk::Layout::OutIn}, bf16.view, int8.view}) {
        CAPTURE(static_cast<int>(e));
        CAPTURE(m);
        CAPTURE(static_cast<int>(w.storage));
        const auto x = random_floats(static_cast<std::size_t>(m * k), 1);
        std::vector<float> want(static_cast<std::size_t>(m * ldy), -7.f), got = want;
        nk::matmul(x.data(), m, w, bias.data(), want.data(), false, k, ldy);
        for (std::int64_t i = 0; i < m; ++i) nk::apply_epilogue(e, want.data() + i * ldy, n);
        nk::matmul(x.data(), m, w, bias.data(), got.data(), false, k, ldy, e);
        int bad = 0;
        for (std::size_t i = 0; i < got.size(); ++i)
          if (std::abs(got[i] - want[i]) > 2e-6 * std::max(1.f, std::abs(want[i]))) ++bad;
        CHECK(bad == 0);
        CHECK(got[static_cast<std::size_t>(n)] == -7.f);  // row padding untouched
      }
}
