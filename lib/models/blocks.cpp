#include "models/blocks.hpp"

#include <nib/error.hpp>

namespace nib::models {

int ModuleRegistry::add(std::string name, std::int64_t in, std::int64_t out, kernels::Layout layout,
                        int layer) {
  modules_.push_back({std::move(name), in, out, layout, layer});
  return static_cast<int>(modules_.size()) - 1;
}

std::optional<int> ModuleRegistry::find(std::string_view name) const {
  for (std::size_t i = 0; i < modules_.size(); ++i) {
    if (modules_[i].name == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

namespace {

// y = then([y +] x·Wᵀ + bias + deltas), or the replacement's matmul. `then` rides on the base matmul
// (a oneDNN post-op) unless deltas still have to be added before it.
void linear(const Linear& lin, const float* x, std::int64_t m, float* y, const AdapterView* adapters,
            float* lora_scratch, kernels::Epilogue then, bool accumulate) {
  if (adapters && lin.module >= 0) {
    if (const Linear* r = adapters->replacement(lin.module)) {
      kernels::matmul(x, m, r->w, r->bias, y, accumulate, 0, 0, then);
      return;
    }
  }
  const std::span<const LoraDelta> deltas =
      adapters && lin.module >= 0 ? adapters->deltas(lin.module) : std::span<const LoraDelta>();
  kernels::matmul(x, m, lin.w, lin.bias, y, accumulate, 0, 0,
                  deltas.empty() ? then : kernels::Epilogue::None);
  if (deltas.empty()) return;
  for (const auto& d : deltas) {
    // t = x·Aᵀ [m, rank]; y += scale · t·Bᵀ. A is [rank, in] (OutIn), B is [out, rank] (OutIn).
    kernels::Weight a{d.a, d.rank, lin.w.k, kernels::Layout::OutIn};
    kernels::matmul(x, m, a, nullptr, lora_scratch);
    if (d.scale != 1.f) {
      for (std::int64_t i = 0; i < m * d.rank; ++i) lora_scratch[i] *= d.scale;
    }
    kernels::Weight b{d.b, lin.w.n, d.rank, kernels::Layout::OutIn};
    kernels::matmul(lora_scratch, m, b, nullptr, y, /*accumulate=*/true);
  }
  kernels::apply_epilogue(then, y, m * lin.w.n);
}

}  // namespace

void apply_linear(const Linear& lin, const float* x, std::int64_t m, float* y, const AdapterView* adapters,
                  float* lora_scratch, kernels::Epilogue then) {
  linear(lin, x, m, y, adapters, lora_scratch, then, false);
}

void apply_linear_add(const Linear& lin, const float* x, std::int64_t m, float* y,
                      const AdapterView* adapters, float* lora_scratch) {
  linear(lin, x, m, y, adapters, lora_scratch, kernels::Epilogue::None, true);
}

void apply_linears(std::span<const LinearOut> outs, const float* x, std::int64_t m,
                   const AdapterView* adapters, float* lora_scratch) {
  constexpr std::size_t kMax = 4;
  bool plain = outs.size() <= kMax;
  for (const auto& o : outs) {
    if (adapters && o.lin->module >= 0)
      plain = plain && !adapters->replacement(o.lin->module) && adapters->deltas(o.lin->module).empty();
  }
  if (!plain) {
    for (const auto& o : outs) apply_linear(*o.lin, x, m, o.y, adapters, lora_scratch);
    return;
  }
  kernels::Projection ps[kMax];
  for (std::size_t i = 0; i < outs.size(); ++i) ps[i] = {outs[i].lin->w, outs[i].lin->bias, outs[i].y};
  kernels::matmul_many(x, m, std::span(ps, outs.size()));
}

void apply_norm(const Norm& norm, const float* x, float* y, std::int64_t rows, std::int64_t dim) {
  if (norm.rms) {
    kernels::rms_norm(x, norm.weight, y, rows, dim, norm.eps);
  } else {
    kernels::layer_norm(x, norm.weight, norm.bias, y, rows, dim, norm.eps);
  }
}

void gather_rows(const Embedding& e, std::span<const std::int32_t> ids, float* out) {
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= e.rows()) {
      throw Error(Status::InvalidArgument, "token id " + std::to_string(ids[i]) +
                                               " is outside the vocabulary of " + std::to_string(e.rows()));
    }
    kernels::dequantize(e.table, ids[i], ids[i] + 1, out + static_cast<std::int64_t>(i) * e.dim());
  }
}

void add_rows(const Embedding& e, std::span<const std::int64_t> ids, float* out) {
  if (e.table.storage != kernels::Storage::F32)
    throw Error(Status::Internal, "add_rows: the table must be f32");
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= e.rows()) {
      throw Error(Status::InvalidArgument, "index " + std::to_string(ids[i]) +
                                               " is outside the embedding table of " +
                                               std::to_string(e.rows()));
    }
    kernels::add_inplace(out + static_cast<std::int64_t>(i) * e.dim(), e.f32() + ids[i] * e.dim(), e.dim());
  }
}

}  // namespace nib::models
