#pragma once
// Values derived from a loaded Model on first use and kept for its lifetime (the Model itself stays
// immutable; these are caches, safe to fill from any thread).
#include <mutex>
#include <string>

#include "runtime/feature_cache.hpp"

namespace nib::detail {

struct ModelCaches {
  std::once_flag checksum_once;
  std::string checksum;  // runtime/weights_checksum.hpp
  FeatureCache features;
};

}  // namespace nib::detail
