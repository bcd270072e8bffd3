#include "kernels/huge_pages.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace nib::kernels {

namespace {

// Blocks of the arena: large enough that the partly used huge page at the end of each is a small
// share (at most 1/32), small enough that a small model does not reserve much address space.
constexpr std::size_t kArenaBlock = std::size_t{64} << 20;
constexpr std::size_t kAlign = 64;

std::size_t round_up(std::size_t n, std::size_t to) {
  return (n + to - 1) / to * to;
}
// What map_huge maps for `bytes`, and unmap_huge unmaps: whole huge pages, at least one.
std::size_t mapped_bytes(std::size_t bytes) {
  return round_up(std::max<std::size_t>(bytes, 1), kHugePage);
}

}  // namespace

void* map_huge(std::size_t bytes) {
  if (bytes > std::numeric_limits<std::size_t>::max() / 2) throw std::bad_alloc();
  const std::size_t size = mapped_bytes(bytes);
  // Map one huge page more than needed, then unmap the unaligned head and the tail.
  void* raw = ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = round_up(start, kHugePage);
  if (aligned > start) ::munmap(raw, aligned - start);
  const std::uintptr_t end = start + size + kHugePage;
  if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - aligned - size);
  ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);  // without THP: ordinary pages
  return reinterpret_cast<void*>(aligned);
}

void unmap_huge(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  ::munmap(p, mapped_bytes(bytes));
}

HugePageArena::~HugePageArena() {
  for (const Block& b : blocks_) unmap_huge(b.base, b.size);
}

void* HugePageArena::allocate(std::size_t bytes) {
  bytes = round_up(std::max<std::size_t>(bytes, 1), kAlign);
  if (blocks_.empty() || blocks_.back().size - blocks_.back().used < bytes) {
    const std::size_t size = std::max(kArenaBlock, round_up(bytes, kHugePage));
    blocks_.reserve(blocks_.size() + 1);  // so that push_back cannot throw with the block mapped
    blocks_.push_back({static_cast<char*>(map_huge(size)), size, 0});
  }
  Block& b = blocks_.back();
  void* p = b.base + b.used;
  b.used += bytes;
  return p;
}

}  // namespace nib::kernels
