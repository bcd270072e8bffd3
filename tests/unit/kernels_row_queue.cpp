// kernels::RowQueue, the decode step's work sharing: every row is handed out exactly once, in
// chunks on the alignment, each thread's own share first, and a thread that has not taken its rows
// yet has them taken by the others, half of what is left at a time from the back.
#include <doctest/doctest.h>
#include <omp.h>

#include <atomic>
#include <cstdint>
#include <iterator>
#include <vector>

#include "kernels/kernels.hpp"
#include "kernels/row_queue.hpp"

namespace {

using nib::kernels::RowQueue;
using nib::kernels::RowSplit;

struct Taken {
  std::int64_t r0, r1;
};

}  // namespace

TEST_CASE("row queue: every row once, own share first, on the alignment") {
  for (const RowSplit split :
       {RowSplit{1000, 16, 3}, RowSplit{64, 16, 1}, RowSplit{7, 4, 5}, RowSplit{0, 16, 2}})
    for (const int parts : {1, 2, 3}) {
      CAPTURE(split.n);
      CAPTURE(parts);
      RowQueue queue;
      queue.reserve(parts);
      std::vector<std::vector<Taken>> taken(static_cast<std::size_t>(parts));
      for (int use = 0; use < 2; ++use) {  // a queue is reused once every share is empty
        for (auto& t : taken) t.clear();
#pragma omp parallel num_threads(parts)
        {
          const int p = omp_get_thread_num();
          queue.start(split, omp_get_num_threads(), p);
#pragma omp barrier
          std::int64_t r0, r1;
          while (queue.next(split, omp_get_num_threads(), p, r0, r1))
            taken[static_cast<std::size_t>(p)].push_back({r0, r1});
        }
        std::vector<int> count(static_cast<std::size_t>(split.n), 0);
        for (int p = 0; p < parts; ++p) {
          std::int64_t own0, own1;
          nib::kernels::share(split.n, parts, p, split.align, own0, own1);
          const auto& mine = taken[static_cast<std::size_t>(p)];
          // Unless the others took its whole share first, it starts at its share's front.
          bool took_own = false;
          for (const auto& t : mine) took_own = took_own || (t.r0 >= own0 && t.r1 <= own1);
          if (took_own) CHECK(mine.front().r0 == own0);
          for (const auto& t : mine) {
            CHECK(t.r0 < t.r1);
            CHECK(t.r0 % split.align == 0);
            CHECK((t.r1 % split.align == 0 || t.r1 == split.n));
            CHECK(t.r1 - t.r0 <= split.chunk * split.align);
            for (std::int64_t r = t.r0; r < t.r1; ++r) ++count[static_cast<std::size_t>(r)];
          }
        }
        for (std::int64_t r = 0; r < split.n; ++r) CHECK(count[static_cast<std::size_t>(r)] == 1);
      }
    }
}

TEST_CASE("row queue: a thread that has not started has its share taken by the others") {
  const RowSplit split{256, 16, 2};
  RowQueue queue;
  queue.reserve(2);
  std::atomic<bool> first_done{false};
  std::vector<Taken> taken[2];
  int team = 0;
#pragma omp parallel num_threads(2)
  {
    const int p = omp_get_thread_num(), parts = omp_get_num_threads();
    team = parts;
    queue.start(split, parts, p);
#pragma omp barrier
    // Thread 1 is held back until thread 0 has run out of rows: thread 0 must have taken them all.
    if (p == 1)
      while (!first_done.load()) {
      }
    std::int64_t r0, r1;
    while (queue.next(split, parts, p, r0, r1)) taken[p].push_back({r0, r1});
    if (p == 0) first_done.store(true);
  }
  if (team < 2) return;  // OMP_THREAD_LIMIT=1: nothing to steal from
  CHECK(taken[1].empty());
  std::int64_t covered = 0;
  for (const auto& t : taken[0]) covered += t.r1 - t.r0;
  CHECK(covered == split.n);
  // Own share (units 0-7) front to back in chunks of 2 units, 1 once fewer than 4 are left, then
  // the back half of what is left of the other's (12-15, then 10-11, 9, 8), each walked the same
  // way.
  const std::int64_t starts[] = {0, 32, 64, 96, 112, 192, 224, 240, 160, 176, 144, 128};
  REQUIRE(taken[0].size() == std::size(starts));
  for (std::size_t i = 0; i < std::size(starts); ++i) CHECK(taken[0][i].r0 == starts[i]);
}
