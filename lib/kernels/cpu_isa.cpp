#include "kernels/cpu_isa.hpp"

#include <algorithm>
#include <atomic>

namespace nib::kernels {

namespace {

Isa detect() {
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
                      __builtin_cpu_supports("avx512bf16");
  return avx512 ? Isa::Avx512Vnni : Isa::Avx2;
}

std::atomic<Isa> g_limit{Isa::Avx512Vnni};

}  // namespace

Isa active_isa() {
  static const Isa best = detect();
  return std::min(best, g_limit.load(std::memory_order_relaxed));
}

Isa set_isa_limit(Isa limit) {
  return g_limit.exchange(limit, std::memory_order_relaxed);
}

}  // namespace nib::kernels
