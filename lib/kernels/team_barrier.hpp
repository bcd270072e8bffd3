#pragma once
// A barrier for the threads of one parallel region that meet many times in quick succession (a
// decode step: five times per layer). libgomp's barrier takes ~1.5 us per meeting of two threads
// here; this one, a counter and a generation on separate cache lines, ~0.1-0.5 us. Waiters spin,
// then yield the core (a team larger than the cores left to it still progresses).
#include <atomic>

namespace nib::kernels {

class TeamBarrier {
 public:
  // Returns once all `parts` threads of the team have called it for this meeting; everything each
  // wrote before is visible to all after. Every meeting has the same `parts` threads.
  void wait(int parts);

 private:
  alignas(64) std::atomic<int> arrived_{0};
  alignas(64) std::atomic<unsigned> generation_{0};
};

}  // namespace nib::kernels
