// kernels::TeamBarrier, the decode step's barrier: nobody passes a meeting before everyone has
// arrived, what each thread wrote before a meeting is seen by all after it, and a team larger than
// the cores (waiters that must yield) still gets through.
#include <doctest/doctest.h>
#include <omp.h>

#include <atomic>
#include <vector>

#include "kernels/team_barrier.hpp"

namespace {

// Each meeting, every thread writes its slot (plain stores) and then reads everyone's: all must hold
// the meeting's number. Returns the number of stale slots seen.
int stale_reads(int team, int meetings) {
  nib::kernels::TeamBarrier barrier;
  std::vector<int> slots(static_cast<std::size_t>(team), -1);
  std::atomic<int> stale{0};
#pragma omp parallel num_threads(team)
  {
    const int parts = omp_get_num_threads(), part = omp_get_thread_num();
    for (int m = 0; m < meetings; ++m) {
      slots[static_cast<std::size_t>(part)] = m;
      barrier.wait(parts);
      for (int p = 0; p < parts; ++p)
        if (slots[static_cast<std::size_t>(p)] != m) stale.fetch_add(1, std::memory_order_relaxed);
      barrier.wait(parts);  // nobody writes the next meeting's value while others still read
    }
  }
  return stale.load();
}

}  // namespace

TEST_CASE("team barrier: every thread's writes before a meeting are seen by all after it") {
  for (const int team : {1, 2, 3}) {
    CAPTURE(team);
    CHECK(stale_reads(team, 2000) == 0);
  }
}

TEST_CASE("team barrier: a team larger than the cores gets through") {
  const int team = 4 * omp_get_num_procs();
  CAPTURE(team);
  CHECK(stale_reads(team, 50) == 0);
}
