#pragma once
// Reader for the safetensors format: u64 little-endian header length, a JSON header mapping tensor
// names to {dtype, shape, data_offsets}, then the byte buffer. Every number in the header is
// validated before use (see safetensors.cpp for the rules).
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "io/dtype.hpp"
#include "io/mapped_file.hpp"

namespace nib::io {

struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::int64_t> shape;
  std::span<const std::uint8_t> bytes;  // inside the mapping
  std::int64_t numel() const;
  std::string describe() const;  // "name [a, b] F32"
};

class SafetensorsFile {
 public:
  static constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;  // as the reference implementation

  explicit SafetensorsFile(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return file_.path(); }
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find(std::string_view name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // See MappedFile::drop_resident (tensors of other files are ignored).
  void drop_resident(const TensorView& t) const noexcept { file_.drop_resident(t.bytes); }

 private:
  void parse();
  MappedFile file_;
  std::vector<TensorView> tensors_;  // sorted by name
  std::map<std::string, std::string> metadata_;
};

// Copies a tensor of any float dtype (F32/F16/BF16/F64) into f32.
std::vector<float> to_f32(const TensorView& t);

}  // namespace nib::io
