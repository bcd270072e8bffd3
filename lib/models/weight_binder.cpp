#include "models/weight_binder.hpp"

#include <nib/error.hpp>

namespace nib::models {

namespace {
std::string shape_string(std::initializer_list<std::int64_t> shape) {
  std::string s = "[";
  bool first = true;
  for (auto d : shape) {
    s += (first ? "" : ", ") + std::to_string(d);
    first = false;
  }
  return s + "]";
}
}  // namespace

const float* WeightBinder::bind(const io::TensorView& t, std::initializer_list<std::int64_t> shape) {
  if (!std::equal(t.shape.begin(), t.shape.end(), shape.begin(), shape.end())) {
    throw Error(Status::Format,
                "tensor " + t.describe() + " does not have the expected shape " + shape_string(shape));
  }
  const float* out = nullptr;
  if (t.dtype == io::DType::F32 && reinterpret_cast<std::uintptr_t>(t.bytes.data()) % alignof(float) == 0) {
    out = reinterpret_cast<const float*>(t.bytes.data());
  } else {
    owned_.push_back(io::to_f32(t));
    out = owned_.back().data();
  }
  if (on_bind_) on_bind_(t.bytes.size());
  return out;
}

const float* WeightBinder::get(std::string_view name, std::initializer_list<std::int64_t> shape) {
  return bind(store_->require(name), shape);
}

const float* WeightBinder::get_optional(std::string_view name, std::initializer_list<std::int64_t> shape) {
  const auto* t = store_->find(name);
  return t ? bind(*t, shape) : nullptr;
}

std::size_t WeightBinder::owned_bytes() const {
  std::size_t n = 0;
  for (const auto& v : owned_) n += v.size() * sizeof(float);
  return n;
}

}  // namespace nib::models
