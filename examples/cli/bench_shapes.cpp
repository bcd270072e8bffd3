#include "bench_shapes.hpp"

namespace nib::cli {

std::vector<probe::GemmShape> layer_projection_shapes(const ModelInfo& info) {
  const std::int64_t h = info.hidden_size, ffn = info.intermediate_size;
  if (info.kind == ModelKind::Encoder) return {{h, h, 4}, {h, ffn, 1}, {ffn, h, 1}};
  if (info.model_type == "gpt2") return {{h, 3 * h, 1}, {h, h, 1}, {h, ffn, 1}, {ffn, h, 1}};
  const std::int64_t q = info.num_heads * info.head_dim, kv = info.num_kv_heads * info.head_dim;
  return {{h, q, 1}, {h, kv, 2}, {q, h, 1}, {h, ffn, 2}, {ffn, h, 1}};
}

double layer_projection_macs(const ModelInfo& info) {
  double macs = 0;
  for (const auto& s : layer_projection_shapes(info)) macs += static_cast<double>(s.k * s.n) * s.count;
  return macs;
}

}  // namespace nib::cli
