#pragma once
// Work sharing for the projections of a decode step. The rows [0, n) of a projection, in units of
// `align` rows, start as one contiguous share per thread, as kernels::share() splits them. Each
// thread walks its own share front to back in chunks (one contiguous stream, which the hardware
// prefetcher follows), which shrink to half of what is left near its end. A thread whose share is
// empty takes the back half of the largest share left as its own and walks it the same way (others
// may in turn take half of it). A thread slowed down by its core or by the memory system then no
// longer holds the others at the next barrier, and the threads finish within about one unit of each
// other. Which thread computes a row does not change its value.
#include <atomic>
#include <cstdint>
#include <memory>

namespace nib::kernels {

// What a projection's rows are walked in: n rows, shares and chunks at multiples of align rows,
// chunks of at most `chunk` units.
struct RowSplit {
  std::int64_t n = 0, align = 1, chunk = 1;
};

class RowQueue {
 public:
  // Room for shares of up to `parts` threads (grows; call outside parallel regions).
  void reserve(int parts);
  // Thread `part` of `parts` sets its own share. Every thread calls it before taking rows; no
  // thread may take rows of a previous use still (the uses of one queue are separated by barriers,
  // and each use ends with every share empty).
  void start(const RowSplit& split, int parts, int part);
  // The next rows [r0, r1) for thread `part`: from the front of its own share, which is refilled
  // with the back half of another's when empty. False when every share is empty.
  bool next(const RowSplit& split, int parts, int part, std::int64_t& r0, std::int64_t& r1);
  // start, then work(r0, r1) for every range next hands thread `part`.
  template <class Work>
  void take(const RowSplit& split, int parts, int part, Work&& work) {
    start(split, parts, part);
    std::int64_t r0, r1;
    while (next(split, parts, part, r0, r1)) work(r0, r1);
  }

 private:
  // Takes the back half [first, end) of the largest share of another thread; false if all are
  // empty. Only thread `part` writes its own share while it is empty: others take from a share
  // only once it is not.
  bool steal_half(int parts, int part, std::int64_t& first, std::int64_t& end);
  // One share per cache line: first unit in the high 32 bits, end unit in the low 32.
  struct alignas(64) Slot {
    std::atomic<std::uint64_t> range{0};
  };
  std::unique_ptr<Slot[]> slots_;
  int capacity_ = 0;
};

// The units of a chunk for rows of `row_bytes` bytes: about 256 KiB of weights, so a claim (one
// atomic operation on a shared line) is rare next to the bytes it streams.
std::int64_t row_chunk(std::int64_t row_bytes, std::int64_t align);

}  // namespace nib::kernels
