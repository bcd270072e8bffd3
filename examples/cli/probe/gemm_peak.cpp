#include "gemm_peak.hpp"
#include "random_floats.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

using nib::testing::random_floats;

namespace nib::probe {

namespace {}  // namespace

struct OnednnGemm::Impl {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  std::vector<float> x, w, b, y;
  dnnl::memory src, packed, bias, dst;
  dnnl::matmul prim;
  std::string name;
};

OnednnGemm::OnednnGemm(std::int64_t m, std::int64_t k, std::int64_t n) : impl_(new Impl) {
  using dnnl::memory;
  using tag = memory::format_tag;
  constexpr auto f32 = memory::data_type::f32;
  auto& s = *impl_;
  const memory::desc src_md({m, k}, f32, tag::ab), bias_md({1, n}, f32, tag::ab),
      dst_md({m, n}, f32, tag::ab);
  const dnnl::matmul::primitive_desc pd(
      dnnl::matmul::desc(src_md, memory::desc({k, n}, f32, tag::any), bias_md, dst_md), s.eng);
  s.x = random_floats(m * k, 2);
  s.w = random_floats(k * n, 1);
  s.b = random_floats(n, 3);
  s.y.resize(static_cast<std::size_t>(m * n));
  memory plain({{k, n}, f32, tag::ba}, s.eng, s.w.data());  // nn.Linear [N, K]
  s.packed = memory(pd.weights_desc(), s.eng);
  dnnl::reorder(plain, s.packed).execute(s.strm, plain, s.packed);
  s.strm.wait();
  s.src = memory(src_md, s.eng, s.x.data());
  s.bias = memory(bias_md, s.eng, s.b.data());
  s.dst = memory(dst_md, s.eng, s.y.data());
  s.prim = dnnl::matmul(pd);
  s.name = pd.impl_info_str();
}

OnednnGemm::~OnednnGemm() {
  delete impl_;
}

void OnednnGemm::run() {
  auto& s = *impl_;
  s.prim.execute(
      s.strm,
      {{DNNL_ARG_SRC, s.src}, {DNNL_ARG_WEIGHTS, s.packed}, {DNNL_ARG_BIAS, s.bias}, {DNNL_ARG_DST, s.dst}});
  s.strm.wait();
}

const char* OnednnGemm::impl_name() const {
  return impl_->name.c_str();
}

double onednn_gemm_gflop_s(std::int64_t m, std::int64_t k, std::int64_t n, double seconds) {
  using Clock = std::chrono::steady_clock;
  OnednnGemm g(m, k, n);
  g.run();  // warm-up: first-touch of the operands, JIT of the kernels
  double best = 1e30, total = 0;
  for (int i = 0; i < 3 || (total < seconds && i < 1000); ++i) {
    const auto t0 = Clock::now();
    g.run();
    const double t = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::min(best, t);
    total += t;
  }
  return 2.0 * static_cast<double>(m) * static_cast<double>(k) * static_cast<double>(n) / best / 1e9;
}

double onednn_gemm_peak_gflop_s(std::int64_t m, std::span<const GemmShape> shapes, int threads,
                                double seconds_per_shape) {
  if (threads > 0) omp_set_num_threads(threads);
  double flops = 0, seconds = 0;
  for (const auto& s : shapes) {
    if (s.k <= 0 || s.n <= 0 || s.count <= 0) continue;
    const double f =
        2.0 * static_cast<double>(m) * static_cast<double>(s.k) * static_cast<double>(s.n) * s.count;
    flops += f;
    seconds += f / (onednn_gemm_gflop_s(m, s.k, s.n, seconds_per_shape) * 1e9);
  }
  return seconds > 0 ? flops / seconds / 1e9 : 0;
}

}  // namespace nib::probe
