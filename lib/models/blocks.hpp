#pragma once
// The small block vocabulary every architecture is written in: linear projections (with the LoRA
// hook), norms and embeddings, plus the registry of linear modules adapters attach to.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/kernels.hpp"

namespace nib::models {

// A LoRA delta on one linear module: y += scale · (x·Aᵀ)·Bᵀ with A [rank, in], B [out, rank].
struct LoraDelta {
  const float* a = nullptr;
  const float* b = nullptr;
  std::int64_t rank = 0;
  float scale = 1.f;
};

struct Linear {
  kernels::Weight w;
  const float* bias = nullptr;
  int module = -1;  // id in the model's ModuleRegistry
};

// What a forward pass applies on top of the base weights; owned by the session, never by the model.
class AdapterView {
 public:
  virtual ~AdapterView() = default;
  virtual std::span<const LoraDelta> deltas(int module) const = 0;
  // A whole replacement of a module (PEFT modules_to_save), or nullptr.
  virtual const Linear* replacement(int module) const = 0;
  // Largest rank summed over the deltas of any module (sizes the LoRA scratch).
  virtual std::int64_t max_total_rank() const = 0;
};

// Every linear module of a model by its Hugging Face module path ("model.layers.0.self_attn.q_proj"),
// so adapters can be validated against and bound to the base.
struct ModuleInfo {
  std::string name;
  std::int64_t in = 0, out = 0;
  kernels::Layout layout = kernels::Layout::OutIn;
  int layer = -1;  // transformer layer index, -1 for heads and embeddings
};

class ModuleRegistry {
 public:
  int add(std::string name, std::int64_t in, std::int64_t out, kernels::Layout layout, int layer);
  const std::vector<ModuleInfo>& modules() const { return modules_; }
  std::optional<int> find(std::string_view name) const;

 private:
  std::vector<ModuleInfo> modules_;
};

// y[m, out] = then(x[m, in]·Wᵀ + bias + the adapters' deltas) (or their replacement of the module).
// `lora_scratch` needs m × adapters->max_total_rank() floats when adapters is non-null. `then` is
// fused into the matmul unless a delta has to be added before it.
void apply_linear(const Linear& lin, const float* x, std::int64_t m, float* y, const AdapterView* adapters,
                  float* lora_scratch, kernels::Epilogue then = kernels::Epilogue::None);
// y[m, out] += the same without activation: a residual connection added by the matmul itself (a oneDNN
// sum post-op) instead of a separate pass over y.
void apply_linear_add(const Linear& lin, const float* x, std::int64_t m, float* y,
                      const AdapterView* adapters, float* lora_scratch);

// Several linears on the same input x[m, in] (q|k|v, gate|up), y_i = apply_linear(lin_i, x). When
// no adapter touches any of them this is one kernels::matmul_many call.
struct LinearOut {
  const Linear* lin = nullptr;
  float* y = nullptr;
};
void apply_linears(std::span<const LinearOut> outs, const float* x, std::int64_t m,
                   const AdapterView* adapters, float* lora_scratch);

struct Norm {
  const float* weight = nullptr;
  const float* bias = nullptr;  // LayerNorm only
  float eps = 1e-5f;
  bool rms = false;
};
void apply_norm(const Norm& norm, const float* x, float* y, std::int64_t rows, std::int64_t dim);

// A table of `rows` vectors of `dim` floats: table.n = rows, table.k = dim, OutIn. Token embeddings of
// causal LMs are in the model's weight storage type (and shared with a tied LM head); the others f32.
struct Embedding {
  kernels::Weight table;
  std::int64_t rows() const { return table.n; }
  std::int64_t dim() const { return table.k; }
  const float* f32() const { return table.f32(); }
};
inline Embedding f32_embedding(const float* data, std::int64_t rows, std::int64_t dim) {
  return {{data, rows, dim, kernels::Layout::OutIn}};
}
// out[i, :] = table[ids[i], :] (widened to f32); ids are checked against the table size (Error naming
// the id).
void gather_rows(const Embedding& e, std::span<const std::int32_t> ids, float* out);
// out[i, :] += table[ids[i], :]; the table must be f32.
void add_rows(const Embedding& e, std::span<const std::int64_t> ids, float* out);

}  // namespace nib::models
