#include "kernels/onednn_matmul.hpp"

#include <omp.h>

#include <nib/error.hpp>
#include <string>
#include <vector>

#include "kernels/onednn_context.hpp"

namespace nib::kernels::onednn {

namespace {

using dnnl::memory;
using dims = memory::dims;
using dt = memory::data_type;

struct MatmulKey {
  std::int64_t k, n;
  Layout layout;
  Storage storage;  // F32 or BF16 (then the activations are rounded to bf16 too)
  bool bias, accumulate;
  Epilogue then;
  int threads;  // oneDNN may size its work partition when the primitive is created
  bool operator==(const MatmulKey&) const = default;
};

struct MatmulKeyHash {
  std::size_t operator()(const MatmulKey& key) const {
    return hash_fields(key.k, key.n, key.layout, key.storage, key.bias, key.accumulate, key.then,
                       key.threads);
  }
};

dt data_type(const MatmulKey& key) {
  return key.storage == Storage::BF16 ? dt::bf16 : dt::f32;
}

memory::desc weight_desc(const MatmulKey& key) {
  // oneDNN's weights are [K, N]; nn.Linear's [N, K] rows are its columns.
  return key.layout == Layout::OutIn ? memory::desc({key.k, key.n}, data_type(key), dims{1, key.k})
                                     : memory::desc({key.k, key.n}, data_type(key), dims{key.n, 1});
}

memory::desc src_desc(const MatmulKey& key, std::int64_t m, std::int64_t ldx) {
  return {{m, key.k}, data_type(key), dims{ldx, 1}};
}

dnnl::matmul create(const MatmulKey& key) {
  const memory::desc dst({DNNL_RUNTIME_DIM_VAL, key.n}, dt::f32, dims{DNNL_RUNTIME_DIM_VAL, 1});
  const memory::desc bias = key.bias ? memory::desc({1, key.n}, dt::f32, dims{key.n, 1}) : memory::desc();
  const dnnl::primitive_attr attr = post_ops(key.accumulate, key.then);
  try {
    const dnnl::matmul::desc desc(src_desc(key, DNNL_RUNTIME_DIM_VAL, DNNL_RUNTIME_DIM_VAL), weight_desc(key),
                                  bias, dst);
    return dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, engine()));
  } catch (const dnnl::error& e) {
    throw Error(Status::Internal,
                matmul_shape(key.storage == Storage::BF16 ? "bf16" : "f32", key.k, key.n) + e.what());
  }
}

PrimitiveCache<MatmulKey, MatmulKeyHash>& matmul_cache() {
  static PrimitiveCache<MatmulKey, MatmulKeyHash> c;
  return c;
}

}  // namespace

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& stream() {
  thread_local dnnl::stream s(engine());
  return s;
}

CachedMatmul::CachedMatmul(dnnl::matmul p) : prim(std::move(p)) {
  const dnnl_memory_desc_t* md =
      dnnl_primitive_desc_query_md(prim.get_primitive_desc(), dnnl_query_scratchpad_md, 0);
  scratchpad_bytes = md ? dnnl_memory_desc_get_size(md) : 0;
}

void execute(const CachedMatmul& m, std::unordered_map<int, dnnl::memory> args) {
  if (m.scratchpad_bytes) {
    // 64-byte aligned, grows to the largest scratchpad this thread has needed.
    struct alignas(64) Line {
      std::byte bytes[64];
    };
    thread_local std::vector<Line> scratch;
    const std::size_t lines = (m.scratchpad_bytes + sizeof(Line) - 1) / sizeof(Line);
    if (scratch.size() < lines) scratch.resize(lines);
    const memory::desc md({static_cast<dims::value_type>(m.scratchpad_bytes)}, dt::u8, dims{1});
    args.insert_or_assign(DNNL_ARG_SCRATCHPAD, memory(md, engine(), scratch.data()));
  }
  m.prim.execute(stream(), args);
  stream().wait();
}

namespace {
dnnl::algorithm eltwise_algorithm(Epilogue e) {
  switch (e) {
    case Epilogue::GeluErf: return dnnl::algorithm::eltwise_gelu_erf;
    case Epilogue::GeluTanh: return dnnl::algorithm::eltwise_gelu_tanh;
    case Epilogue::Relu: return dnnl::algorithm::eltwise_relu;
    case Epilogue::Silu: return dnnl::algorithm::eltwise_swish;
    case Epilogue::None: break;
  }
  throw Error(Status::Internal, "oneDNN matmul: no eltwise post-op for Epilogue::None");
}

}  // namespace

dnnl::primitive_attr post_ops(bool accumulate, Epilogue then) {
  dnnl::post_ops ops;
  if (accumulate) ops.append_sum(1.f);
  // alpha: swish's sigmoid scale (1 gives SiLU), relu's negative slope (0); the gelus ignore it.
  if (then != Epilogue::None)
    ops.append_eltwise(1.f, eltwise_algorithm(then), then == Epilogue::Silu ? 1.f : 0.f, 0.f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

dnnl::memory prepack(const dnnl::memory::desc& plain, const void* src, const dnnl::memory::desc& packed) {
  memory out(packed, engine());
  memory in(plain, engine(), const_cast<void*>(src));  // only read
  dnnl::reorder(in, out).execute(stream(), in, out);
  stream().wait();
  return out;
}

bool has_bf16_matmul() {
  // oneDNN 2.6 runs bf16 matmuls from AVX-512 on (natively with AVX512_BF16); on AVX2-only CPUs
  // creating one fails, and 16-bit weights are widened instead.
  static const bool ok = [] {
    try {
      create({64, 64, Layout::OutIn, Storage::BF16, false, false, Epilogue::None, 1});
      return true;
    } catch (const Error&) {
      return false;
    }
  }();
  return ok;
}

void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            std::int64_t ldx, std::int64_t ldy, Epilogue then) {
  if (w.storage != Storage::F32 && w.storage != Storage::BF16)
    throw Error(Status::Internal, "onednn::matmul: weights must be f32 or bf16");
  const MatmulKey key{
      w.k, w.n, w.layout, w.storage, bias != nullptr, accumulate, then, omp_get_max_threads()};
  const auto prim = matmul_cache().get(key, create);
  auto& eng = engine();
  // oneDNN takes non-const handles but only reads src, weights and bias.
  const void* src = x;
  if (w.storage == Storage::BF16) {
    thread_local std::vector<std::uint16_t> rounded;
    rounded.resize(static_cast<std::size_t>(m * w.k));
    std::uint16_t* out = rounded.data();  // thread_local: name it outside the region
#pragma omp parallel for schedule(static)
    for (std::int64_t r = 0; r < m; ++r) round_to_bf16(x + r * ldx, w.k, out + r * w.k);
    src = out;
    ldx = w.k;
  }
  memory src_mem(src_desc(key, m, ldx), eng, const_cast<void*>(src));
  memory wei(weight_desc(key), eng, const_cast<void*>(w.data));
  memory dst({{m, w.n}, dt::f32, dims{ldy, 1}}, eng, y);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src_mem}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
  if (bias)
    args.emplace(DNNL_ARG_BIAS, memory({{1, w.n}, dt::f32, dims{w.n, 1}}, eng, const_cast<float*>(bias)));
  execute(*prim, std::move(args));
}

void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            std::int64_t ldx, std::int64_t ldy) {
  onednn::matmul(x, m, w, bias, y, accumulate, ldx, ldy, Epilogue::None);
}

void sgemm(const float* a, std::int64_t lda, const float* b, std::int64_t ldb, bool b_transposed, float* c,
           std::int64_t ldc, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, float beta) {
  const dnnl_status_t st =
      dnnl_sgemm('N', b_transposed ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  if (st != dnnl_success)
    throw Error(Status::Internal, "dnnl_sgemm failed with status " + std::to_string(st));
}

std::size_t cached_primitives() {
  return matmul_cache().size();
}

}  // namespace nib::kernels::onednn
