#pragma once
// Binds checkpoint tensors to model blocks as f32 pointers: F32 tensors are used in place (inside
// the mapping); F16/BF16/F64 tensors are widened once into buffers the binder owns.
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "io/weight_store.hpp"

namespace nib::models {

class WeightBinder {
 public:
  explicit WeightBinder(const io::WeightStore& store) : store_(&store) {}

  // The tensor as f32 with exactly this shape, or a Format error naming the tensor and both shapes.
  const float* get(std::string_view name, std::initializer_list<std::int64_t> shape);
  // Same, or nullptr when the tensor is absent (optional biases).
  const float* get_optional(std::string_view name, std::initializer_list<std::int64_t> shape);
  bool has(std::string_view name) const { return store_->find(name) != nullptr; }
  const io::WeightStore& store() const { return *store_; }

  // Bytes of converted copies the binder owns (0 for an all-F32 checkpoint).
  std::size_t owned_bytes() const;

  // Called with each bound tensor's checkpoint bytes (load progress); may throw to abort the load.
  void on_bind(std::function<void(std::size_t bytes)> fn) { on_bind_ = std::move(fn); }

 private:
  const float* bind(const io::TensorView& t, std::initializer_list<std::int64_t> shape);
  const io::WeightStore* store_;
  std::deque<std::vector<float>> owned_;
  std::function<void(std::size_t)> on_bind_;
};

}  // namespace nib::models
