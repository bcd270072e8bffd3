#pragma once
// Binds checkpoint tensors to model blocks. Vectors (norms, biases, position tables) are f32: F32
// tensors are used in place (inside the mapping), F16/BF16/F64 tensors widened once into buffers the
// binder owns. Matrices (linear modules, token embeddings) are bound in the model's weight storage
// type: f32 as above; bf16/f16 in place when the checkpoint ships that type, else converted; int8
// and int4 quantised from the f32 values (see kernels::pack_weight). Converted and quantised matrices
// live in the binder's huge-page arena. A tensor the binder copies leaves the process's resident set
// (io::WeightStore::drop_resident): RSS counts each weight once.
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "io/weight_store.hpp"
#include "kernels/kernels.hpp"

namespace nib::models {

class WeightBinder {
 public:
  explicit WeightBinder(const io::WeightStore& store, kernels::Storage storage = kernels::Storage::F32)
      : store_(&store), storage_(storage) {}

  // The tensor as f32 with exactly this shape, or a Format error naming the tensor and both shapes.
  const float* get(std::string_view name, std::initializer_list<std::int64_t> shape);
  // Same, or nullptr when the tensor is absent (optional biases).
  const float* get_optional(std::string_view name, std::initializer_list<std::int64_t> shape);
  // A matrix of n outputs × k inputs stored as `layout` ([n, k] OutIn, [k, n] InOut) in the binder's
  // storage type (an int8 or int4 result is always OutIn). With `prepack`, f32 matrices also get their
  // prepacked M > 1 copy (kernels::pack_weight): for weights only ever multiplied by many rows
  // (encoder layers: M = tokens), where it is worth 4 more bytes per weight.
  kernels::Weight matrix(std::string_view name, std::int64_t n, std::int64_t k, kernels::Layout layout,
                         bool prepack = false);
  // A token embedding table or LM head: as matrix(), except that int4 keeps it at int8. One row per
  // vocabulary entry makes it the matrix whose 4-bit rounding costs the most accuracy (llama.cpp's
  // Q4_0 files keep their output matrix at 6 bits for the same reason), for a small share of bytes.
  kernels::Weight vocab_matrix(std::string_view name, std::int64_t n, std::int64_t k, kernels::Layout layout);
  bool has(std::string_view name) const { return store_->find(name) != nullptr; }
  const io::WeightStore& store() const { return *store_; }
  kernels::Storage storage() const { return storage_; }

  // Called as each tensor is bound, before any of its memory is allocated, with the bytes the model
  // then holds for it (the memory budget): its values in the mapping when used in place (they become
  // resident as they are read), else the copy the binder makes (f32, 16-bit, or int8 / int4 with
  // int8's M > 1 copy: kernels::packed_bytes), and again for an f32 matrix's prepacked copy. `what`
  // names the tensor. May throw to abort the load.
  void on_hold(std::function<void(const std::string& what, std::size_t bytes)> fn) {
    on_hold_ = std::move(fn);
  }

  // Called with each bound tensor's checkpoint bytes (load progress); may throw to abort the load.
  void on_bind(std::function<void(std::size_t bytes)> fn) { on_bind_ = std::move(fn); }

 private:
  const float* bind(const io::TensorView& t, std::initializer_list<std::int64_t> shape);
  kernels::Weight matrix_as(kernels::Storage storage, std::string_view name, std::int64_t n, std::int64_t k,
                            kernels::Layout layout, bool prepack);
  // on_hold_(t's description + what, bytes), when set and bytes > 0.
  void hold(const io::TensorView& t, std::string_view what, std::int64_t bytes) const;
  const io::WeightStore* store_;
  kernels::Storage storage_;
  std::deque<std::vector<float>> owned_;
  kernels::HugePageArena arena_;  // the packed buffers' memory: declared first, released last
  std::deque<kernels::PackedWeight> packed_;
  std::function<void(std::size_t)> on_bind_;
  std::function<void(const std::string&, std::size_t)> on_hold_;
};

}  // namespace nib::models
