#pragma once
// Elapsed wall time, as the results' stats report it (prefill_ms, decode_ms, feature_ms, fit_ms).
#include <chrono>

namespace nib::detail {

// Milliseconds on the steady clock since t0.
inline double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace nib::detail
