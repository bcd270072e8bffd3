#pragma once
// Writer for the safetensors format (the reader is io/safetensors.hpp): F32 tensors only, which is
// all nib writes (trained task heads). The header is padded with spaces to a multiple of 8 bytes,
// as the reference implementation does, so the data that follows stays aligned.
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace nib::io {

struct F32Tensor {
  std::string name;
  std::vector<std::int64_t> shape;
  std::span<const float> data;  // numel(shape) values, row-major
};

// Writes the tensors (and optional __metadata__ strings) to `path` through a temporary file that
// is renamed into place, so a failed write never leaves a half-written file. Io error naming the
// path when it cannot be written; InvalidArgument when a tensor's data does not match its shape
// or names repeat.
void write_safetensors(const std::filesystem::path& path, std::span<const F32Tensor> tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace nib::io
