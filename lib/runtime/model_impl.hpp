#pragma once
// What a loaded nib::Model holds: the folder's configuration, its mapped weights and the
// derived public description. Immutable once constructed.
#include <nib/model.hpp>

#include "io/hf_folder.hpp"
#include "io/weight_store.hpp"

namespace nib::detail {

class ModelImpl {
 public:
  ModelImpl(const std::filesystem::path& dir, const LoadOptions& options);

  const io::HfFolder& folder() const { return folder_; }
  const io::ModelConfig& config() const { return folder_.model; }
  const io::WeightStore& weights() const { return weights_; }
  const ModelInfo& info() const { return info_; }
  const LoadOptions& options() const { return options_; }

 private:
  LoadOptions options_;
  io::HfFolder folder_;
  io::WeightStore weights_;
  ModelInfo info_;
};

}  // namespace nib::detail
