#pragma once
// Options for loading models and running sessions.
#include <cstdint>
#include <functional>

namespace nib {

enum class WeightType { Auto, F32, BF16, F16, Int8 };

// Progress of a long operation in [0, 1]; return false to cancel (the operation then throws
// nib::Error with Status::Cancelled).
using ProgressFn = std::function<bool(float)>;

struct LoadOptions {
  int threads = 0;                        // 0: all cores
  WeightType weights = WeightType::Auto;  // storage of the matrices; Auto: f32
  ProgressFn progress;
  std::uint64_t max_memory_bytes = 0;  // 0: no cap
};

}  // namespace nib
