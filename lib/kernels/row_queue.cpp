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
  auto rows = [&](std::int64_t u0, std::int64_t u1) {
    r0 = std::min(split.n, u0 * split.align);
    r1 = std::min(split.n, u1 * split.align);
    return true;
  };
  std::atomic<std::uint64_t>& own = slots_[part].range;
  std::uint64_t v = own.load(std::memory_order_acquire);
  while (first_of(v) < end_of(v)) {
    const std::int64_t f = first_of(v), e = end_of(v), to = std::min(e, f + split.chunk);
    if (own.compare_exchange_weak(v, pack(to, e), std::memory_order_acq_rel)) return rows(f, to);
  }
  for (int i = 1; i < parts; ++i) {
    std::atomic<std::uint64_t>& other = slots_[(part + i) % parts].range;
    v = other.load(std::memory_order_acquire);
    while (first_of(v) < end_of(v)) {
      const std::int64_t f = first_of(v), e = end_of(v), from = std::max(f, e - split.chunk);
      if (other.compare_exchange_weak(v, pack(f, from), std::memory_order_acq_rel)) return rows(from, e);
    }
  }
  return false;
}

std::int64_t row_chunk(std::int64_t row_bytes, std::int64_t align) {
  constexpr std::int64_t kChunkBytes = 256 << 10;
  return std::max<std::int64_t>(1, kChunkBytes / std::max<std::int64_t>(1, row_bytes * align));
}

}  // namespace nib::kernels
