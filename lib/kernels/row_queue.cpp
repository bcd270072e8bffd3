#include "kernels/row_queue.hpp"

#include <algorithm>

#include <nib/error.hpp>

#include "kernels/kernels.hpp"

namespace nib::kernels {

namespace {
constexpr std::uint64_t pack(std::int64_t first, std::int64_t end) {
  return static_cast<std::uint64_t>(first) << 32 | static_cast<std::uint64_t>(end);
}
constexpr std::int64_t first_of(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 32);
}
constexpr std::int64_t end_of(std::uint64_t v) {
  return static_cast<std::int64_t>(v & 0xffffffffu);
}
}  // namespace

void RowQueue::reserve(int parts) {
  if (parts <= capacity_) return;
  slots_ = std::make_unique<Slot[]>(static_cast<std::size_t>(parts));
  capacity_ = parts;
}

void RowQueue::start(const RowSplit& split, int parts, int part) {
  if (parts > capacity_) throw Error(Status::Internal, "RowQueue: more threads than reserved");
  const std::int64_t units = (split.n + split.align - 1) / split.align;
  if (units >= (std::int64_t{1} << 32)) throw Error(Status::Internal, "RowQueue: too many rows");
  std::int64_t first, end;
  share(units, parts, part, 1, first, end);
  slots_[part].range.store(pack(first, end), std::memory_order_release);
}

bool RowQueue::next(const RowSplit& split, int parts, int part, std::int64_t& r0, std::int64_t& r1) {
  std::atomic<std::uint64_t>& own = slots_[part].range;
  do {
    std::uint64_t v = own.load(std::memory_order_acquire);
    while (first_of(v) < end_of(v)) {
      // A chunk, or half of what is left once that is less than two: the threads then finish
      // within a unit of each other instead of a chunk.
      const std::int64_t f = first_of(v), e = end_of(v);
      const std::int64_t to = f + std::min(split.chunk, std::max<std::int64_t>(1, (e - f) / 2));
      if (own.compare_exchange_weak(v, pack(to, e), std::memory_order_acq_rel)) {
        r0 = std::min(split.n, f * split.align);
        r1 = std::min(split.n, to * split.align);
        return true;
      }
    }
  } while (steal_half(parts, part));
  return false;
}

bool RowQueue::steal_half(int parts, int part) {
  for (;;) {
    // The share with the most units left; its owner keeps the front half.
    int victim = -1;
    std::uint64_t v = 0;
    for (int i = 1; i < parts; ++i) {
      const int p = (part + i) % parts;
      const std::uint64_t w = slots_[p].range.load(std::memory_order_acquire);
      if (end_of(w) - first_of(w) > end_of(v) - first_of(v)) {
        victim = p;
        v = w;
      }
    }
    if (victim < 0) return false;
    const std::int64_t f = first_of(v), e = end_of(v), from = f + (e - f) / 2;
    if (slots_[victim].range.compare_exchange_strong(v, pack(f, from), std::memory_order_acq_rel)) {
      // Only this thread writes its own empty share; others take from it only once it is not empty.
      slots_[part].range.store(pack(from, e), std::memory_order_release);
      return true;
    }
  }
}

std::int64_t row_chunk(std::int64_t row_bytes, std::int64_t align) {
  constexpr std::int64_t kChunkBytes = 256 << 10;
  return std::max<std::int64_t>(1, kChunkBytes / std::max<std::int64_t>(1, row_bytes * align));
}

}  // namespace nib::kernels
