#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace nib::io {

// Element types a safetensors file may hold.
enum class DType { F32, F16, BF16, F64, I8, U8, I16, I32, I64, Bool };

std::optional<DType> parse_dtype(std::string_view name);
const char* dtype_name(DType t);
std::size_t dtype_size(DType t);

// Scalar conversions used when widening 16-bit checkpoints.
float f16_to_f32(std::uint16_t h);
float bf16_to_f32(std::uint16_t b);

}  // namespace nib::io
