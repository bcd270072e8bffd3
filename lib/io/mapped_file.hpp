#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

namespace nib::io {

// A read-only memory mapping of a whole file (RAII). Empty files map to an empty span.
class MappedFile {
 public:
  MappedFile() = default;
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
  std::size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

  // Drops the pages wholly inside `range` (ignored unless it lies in this mapping) from the process's
  // resident set: for tensors the model has converted into buffers of its own, whose mapped pages
  // would otherwise stay counted in its RSS. The mapping is read-only and private, so the pages stay
  // valid: the page cache keeps them and a later read maps them again. Only a hint.
  void drop_resident(std::span<const std::uint8_t> range) const noexcept;

 private:
  void release() noexcept;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::filesystem::path path_;
};

}  // namespace nib::io
