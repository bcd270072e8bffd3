#pragma once
// All tensors of a model folder: model.safetensors, or the shards listed by
// model.safetensors.index.json. Files stay memory-mapped for the store's lifetime.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/safetensors.hpp"

namespace nib::io {

class WeightStore {
 public:
  static WeightStore open(const std::filesystem::path& dir);
  static WeightStore open_files(const std::vector<std::filesystem::path>& files);

  const TensorView* find(std::string_view name) const;
  // The tensor, or a Format error naming it and the folder.
  const TensorView& require(std::string_view name) const;
  const std::map<std::string, const TensorView*, std::less<>>& tensors() const { return index_; }
  std::vector<std::filesystem::path> files() const;
  // The tensor's mapped pages leave the process's resident set once the model holds its own copy
  // (see MappedFile::drop_resident).
  void drop_resident(const TensorView& t) const noexcept;

 private:
  void add(std::unique_ptr<SafetensorsFile> file);
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const TensorView*, std::less<>> index_;
  std::string where_;
};

}  // namespace nib::io
