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

namespace {
// Where a claim from the front of [f, e) ends: a chunk, or half of what is left once that is less
// than two, so the threads finish within a unit of each other instead of a chunk.
std::int64_t claim_end(const RowSplit& split, std::int64_t f, std::int64_t e) {
  return f + std::min(split.chunk, std::max<std::int64_t>(1, (e - f) / 2));
}
}  // namespace

bool RowQueue::next(const RowSplit& split, int parts, int part, std::int64_t& r0, std::int64_t& r1) {
  std::atomic<std::uint64_t>& own = slots_[part].range;
  std::uint64_t v = own.load(std::memory_order_acquire);
  std::int64_t f = 0, e = 0, to = 0;
  for (;;) {
    if (first_of(v) >= end_of(v)) {
      if (!steal_half(parts, part, f, e)) return false;
      // The first claim is taken before the rest is published, so a stolen range is never stolen
      // back before any of it is done.
      to = claim_end(split, f, e);
      if (to < e) own.store(pack(to, e), std::memory_order_release);
      break;
    }
    f = first_of(v);
    e = end_of(v);
    to = claim_end(split, f, e);
    if (own.compare_exchange_weak(v, pack(to, e), std::memory_order_acq_rel)) break;
  }
  r0 = std::min(split.n, f * split.align);
  r1 = std::min(split.n, to * split.align);
  return true;
}

bool RowQueue::steal_half(int parts, int part, std::int64_t& first, std::int64_t& end) {
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
      first = from;
      end = e;
      return true;
    }
  }
}

std::int64_t row_chunk(std::int64_t row_bytes, std::int64_t align) {
  constexpr std::int64_t kChunkBytes = 256 << 10;
  return std::max<std::int64_t>(1, kChunkBytes / std::max<std::int64_t>(1, row_bytes * align));
}

}  // namespace nib::kernels
