#include "gemm_peak.hpp"
#include "random_floats.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

using nib::testing::random_floats;

namespace nib::probe {

namespace {}  // namespace

struct OnednnGemm::Impl {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  std::vector<float> x, w, b, y;
  std::vector<std::uint8_t> xq;
  std::vector<std::int8_t> wq;
  std::vector<std::int32_t> yq;
  bool int8 = false;
  dnnl::memory src, packed, bias, dst;
  dnnl::matmul prim;
  std::string name;
};

OnednnGemm::OnednnGemm(std::int64_t m, std::int64_t k, std::int64_t n, bool int8) : impl_(new Impl) {
  using dnnl::memory;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  auto& s = *impl_;
  s.int8 = int8;
  const dt src_dt = int8 ? dt::u8 : dt::f32, wei_dt = int8 ? dt::s8 : dt::f32,
           dst_dt = int8 ? dt::s32 : dt::f32;
  const memory::desc src_md({m, k}, src_dt, tag::ab), bias_md({1, n}, dt::f32, tag::ab),
      dst_md({m, n}, dst_dt, tag::ab);
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src_md, memory::desc({k, n}, wei_dt, tag::any),
                                                           int8 ? memory::desc() : bias_md, dst_md),
                                        s.eng);
  s.x = random_floats(m * k, 2);
  s.w = random_floats(k * n, 1);
  s.b = random_floats(n, 3);
  void* x = s.x.data();
  void* w = s.w.data();
  void* y = nullptr;
  if (int8) {  // random codes from the random floats (values do not change the speed)
    for (float v : s.x)
      s.xq.push_back(static_cast<std::uint8_t>(static_cast<int>(std::abs(v) * 255.f) & 255));
    for (float v : s.w) s.wq.push_back(static_cast<std::int8_t>(static_cast<int>(v * 127.f)));
    s.yq.resize(static_cast<std::size_t>(m * n));
    x = s.xq.data();
    w = s.wq.data();
    y = s.yq.data();
  } else {
    s.y.resize(static_cast<std::size_t>(m * n));
    y = s.y.data();
  }
  memory plain({{k, n}, wei_dt, tag::ba}, s.eng, w);  // nn.Linear [N, K]
  s.packed = memory(pd.weights_desc(), s.eng);
  dnnl::reorder(plain, s.packed).execute(s.strm, plain, s.packed);
  s.strm.wait();
  s.src = memory(src_md, s.eng, x);
  s.bias = memory(bias_md, s.eng, s.b.data());
  s.dst = memory(dst_md, s.eng, y);
  s.prim = dnnl::matmul(pd);
  s.name = pd.impl_info_str();
}

OnednnGemm::~OnednnGemm() {
  delete impl_;
}

void OnednnGemm::run() {
  auto& s = *impl_;
  if (s.int8)
    s.prim.execute(s.strm, {{DNNL_ARG_SRC, s.src}, {DNNL_ARG_WEIGHTS, s.packed}, {DNNL_ARG_DST, s.dst}});
  else
    s.prim.execute(s.strm, {{DNNL_ARG_SRC, s.src},
                            {DNNL_ARG_WEIGHTS, s.packed},
                            {DNNL_ARG_BIAS, s.bias},
                            {DNNL_ARG_DST, s.dst}});
  s.strm.wait();
}

const char* OnednnGemm::impl_name() const {
  return impl_->name.c_str();
}

double onednn_gemm_gflop_s(std::int64_t m, std::int64_t k, std::int64_t n, double seconds, bool int8) {
  using Clock = std::chrono::steady_clock;
  OnednnGemm g(m, k, n, int8);
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
                                double seconds_per_shape, bool int8) {
  if (threads > 0) omp_set_num_threads(threads);
  double flops = 0, seconds = 0;
  for (const auto& s : shapes) {
    if (s.k <= 0 || s.n <= 0 || s.count <= 0) continue;
    const double f =
        2.0 * static_cast<double>(m) * static_cast<double>(s.k) * static_cast<double>(s.n) * s.count;
    flops += f;
    seconds += f / (onednn_gemm_gflop_s(m, s.k, s.n, seconds_per_shape, int8) * 1e9);
  }
  return seconds > 0 ? flops / seconds / 1e9 : 0;
}

}  // namespace nib::probe
