#include "kernels/team_barrier.hpp"

#include <immintrin.h>

#include <thread>

namespace nib::kernels {

void TeamBarrier::wait(int parts) {
  const unsigned generation = generation_.load(std::memory_order_acquire);
  if (arrived_.fetch_add(1, std::memory_order_acq_rel) == parts - 1) {
    // The last to arrive: reset the count for the next meeting before releasing this one.
    arrived_.store(0, std::memory_order_relaxed);
    generation_.store(generation + 1, std::memory_order_release);
    return;
  }
  // 8192 pauses (0.1-0.4 ms, by CPU) cover any wait between two steps of a decode step; beyond
  // that another thread of the team has lost its core, so give this one up.
  constexpr int kSpins = 1 << 13;
  for (int i = 0; generation_.load(std::memory_order_acquire) == generation; ++i) {
    if (i < kSpins)
      _mm_pause();
    else
      std::this_thread::yield();
  }
}

}  // namespace nib::kernels
