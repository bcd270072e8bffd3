#include "models/weight_binder.hpp"

#include <nib/error.hpp>

#include "kernels/onednn_f32_packed.hpp"

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

void check_shape(const io::TensorView& t, std::initializer_list<std::int64_t> shape) {
  if (!std::equal(t.shape.begin(), t.shape.end(), shape.begin(), shape.end())) {
    throw Error(Status::Format,
                "tensor " + t.describe() + " does not have the expected shape " + shape_string(shape));
  }
}

bool in_place(const io::TensorView& t, io::DType dtype, std::size_t align) {
  return t.dtype == dtype && reinterpret_cast<std::uintptr_t>(t.bytes.data()) % align == 0;
}

io::DType dtype_of(kernels::Storage s) {
  return s == kernels::Storage::BF16 ? io::DType::BF16 : io::DType::F16;
}
}  // namespace

void WeightBinder::hold(const io::TensorView& t, std::string_view what, std::int64_t bytes) const {
  if (on_hold_ && bytes > 0) on_hold_(t.describe() + std::string(what), static_cast<std::size_t>(bytes));
}

const float* WeightBinder::bind(const io::TensorView& t, std::initializer_list<std::int64_t> shape) {
  check_shape(t, shape);
  const float* out = nullptr;
  if (in_place(t, io::DType::F32, alignof(float))) {
    hold(t, "", static_cast<std::int64_t>(t.bytes.size()));
    out = reinterpret_cast<const float*>(t.bytes.data());
  } else {
    hold(t, " as f32", t.numel() * static_cast<std::int64_t>(sizeof(float)));
    owned_.push_back(io::to_f32(t));
    out = owned_.back().data();
    store_->drop_resident(t);
  }
  if (on_bind_) on_bind_(t.bytes.size());
  return out;
}

kernels::Weight WeightBinder::matrix(std::string_view name, std::int64_t n, std::int64_t k,
                                     kernels::Layout layout, bool prepack) {
  return matrix_as(storage_, name, n, k, layout, prepack);
}

kernels::Weight WeightBinder::vocab_matrix(std::string_view name, std::int64_t n, std::int64_t k,
                                           kernels::Layout layout) {
  const bool int4 = storage_ == kernels::Storage::Int4;
  return matrix_as(int4 ? kernels::Storage::Int8 : storage_, name, n, k, layout, false);
}

kernels::Weight WeightBinder::matrix_as(kernels::Storage storage, std::string_view name, std::int64_t n,
                                        std::int64_t k, kernels::Layout layout, bool prepack) {
  const bool out_in = layout == kernels::Layout::OutIn;
  const std::initializer_list<std::int64_t> shape = {out_in ? n : k, out_in ? k : n};
  if (storage == kernels::Storage::F32) {
    const io::TensorView& t = store_->require(name);
    const float* src = bind(t, shape);
    if (!prepack) return {src, n, k, layout};
    hold(t, " (its prepacked f32 copy)", kernels::packed_bytes(n, k, kernels::Storage::F32));
    packed_.push_back(kernels::pack_weight(src, n, k, layout, kernels::Storage::F32));
    // With the copy, only an M = 1 product reads the mapped values (never, for encoder layers; it
    // would fault them back in from the file): they need not stay resident beside the copy.
    if (packed_.back().f32_gemm && static_cast<const void*>(src) == t.bytes.data()) store_->drop_resident(t);
    return packed_.back().view;
  }
  const io::TensorView& t = store_->require(name);
  check_shape(t, shape);
  kernels::Weight w;
  if (!kernels::quantized(storage) && in_place(t, dtype_of(storage), alignof(std::uint16_t))) {
    hold(t, "", static_cast<std::int64_t>(t.bytes.size()));
    w = {t.bytes.data(), n, k, layout, storage};
  } else {
    hold(t, std::string(" as ") + kernels::storage_name(storage), kernels::packed_bytes(n, k, storage));
    std::vector<float> widened;
    const float* src = nullptr;
    if (in_place(t, io::DType::F32, alignof(float))) {
      src = reinterpret_cast<const float*>(t.bytes.data());
    } else {
      widened = io::to_f32(t);
      src = widened.data();
    }
    try {
      packed_.push_back(kernels::pack_weight(src, n, k, layout, storage, &arena_));
    } catch (const Error& e) {  // what cannot be stored: name the tensor
      throw Error(e.status(), std::string(name) + ": " + e.what());
    }
    w = packed_.back().view;
    store_->drop_resident(t);
  }
  if (on_bind_) on_bind_(t.bytes.size());
  return w;
}

const float* WeightBinder::get(std::string_view name, std::initializer_list<std::int64_t> shape) {
  return bind(store_->require(name), shape);
}

const float* WeightBinder::get_optional(std::string_view name, std::initializer_list<std::int64_t> shape) {
  const auto* t = store_->find(name);
  return t ? bind(*t, shape) : nullptr;
}

}  // namespace nib::models
