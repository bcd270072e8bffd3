#pragma once
// Builders for the files tests write: safetensors files (well-formed or deliberately broken) and
// model folders derived from a shared one.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace nib::test {

struct TensorSpec {
  std::string name;
  std::string dtype = "F32";
  std::vector<std::int64_t> shape;
  std::vector<std::uint8_t> data;  // raw bytes
};

// The raw bytes of a header + buffer; `header_override` replaces the generated JSON header.
std::string safetensors_bytes(const std::vector<TensorSpec>& tensors,
                              const std::string& header_override = "");
void write_file(const std::filesystem::path& path, const std::string& bytes);
std::string read_file(const std::filesystem::path& path);
// f32 values as bytes.
std::vector<std::uint8_t> f32_bytes(const std::vector<float>& values);
// Copies a shared model folder's small files and links (or copies) its weights into `dest`.
void copy_model_folder(const std::filesystem::path& src, const std::filesystem::path& dest);

}  // namespace nib::test
