// Huge-page memory for packed weights and the KV cache: the arena's buffers are aligned, disjoint and
// in mappings advised for transparent huge pages (VmFlags "hg" in /proc/self/smaps); the allocator
// maps large buffers of its own and leaves small ones on the heap; in AddressSanitizer builds every
// buffer comes from the heap. A model's converted weights come from its binder's arena.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "io/weight_store.hpp"
#include "kernels/huge_pages.hpp"
#include "kernels/kernels.hpp"
#include "models/weight_binder.hpp"
#include "proc_smaps.hpp"
#include "shared_data.hpp"

namespace nk = nib::kernels;

namespace {

bool advised_huge(const void* p) {
  return nib::test::smaps_field(p, "VmFlags:").find(" hg") != std::string::npos;
}

}  // namespace

TEST_CASE("huge pages: the arena hands out aligned, disjoint buffers from advised blocks") {
  nk::HugePageArena arena;
  std::vector<std::pair<char*, std::size_t>> got;
  for (const std::size_t bytes : {std::size_t{1}, std::size_t{100}, std::size_t{3} << 20, std::size_t{5000},
                                  std::size_t{70} << 20, std::size_t{64}}) {
    auto* p = static_cast<char*>(arena.allocate(bytes));
    REQUIRE(p != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 64 == 0);
    std::memset(p, 0x5a, bytes);  // writable, whole
    for (const auto& [q, n] : got) CHECK((p + bytes <= q || q + n <= p));
    got.emplace_back(p, bytes);
    CHECK(advised_huge(p));
    CHECK(advised_huge(p + bytes - 1));
  }
  // Consecutive small buffers share a block (no huge page per buffer).
  CHECK(got[1].first == got[0].first + 64);
  for (const auto& [p, n] : got) CHECK(p[n - 1] == 0x5a);
}

TEST_CASE("huge pages: the allocator maps large buffers of its own, small ones stay on the heap") {
  using Alloc = nk::HugePageAllocator<float>;
  std::vector<float, Alloc> big(std::size_t{3} << 20), small(1000);  // 12 MiB, 4 KB
  CHECK(big[12345] == 0.f);                                          // value-initialised
  CHECK(small[999] == 0.f);
  const bool huge = nk::huge_pages_used();
  CHECK((reinterpret_cast<std::uintptr_t>(big.data()) % nk::kHugePage == 0) == huge);
  CHECK(advised_huge(big.data()) == huge);
  CHECK(advised_huge(big.data() + big.size() - 1) == huge);
  CHECK_FALSE(advised_huge(small.data()));
  big.assign(big.size(), 1.f);
  big.resize(std::size_t{4} << 20);  // regrown: a new mapping, contents kept
  CHECK(big[100] == 1.f);
  CHECK(big[(std::size_t{4} << 20) - 1] == 0.f);
  CHECK(advised_huge(big.data()) == huge);
}

TEST_CASE("huge pages: packed weights come from the arena they are given") {
  nk::HugePageArena arena;
  const std::int64_t n = 64, k = 96;
  std::vector<float> w(static_cast<std::size_t>(n * k), 0.25f);
  for (const auto storage : {nk::Storage::BF16, nk::Storage::F16, nk::Storage::Int8, nk::Storage::Int4}) {
    CAPTURE(static_cast<int>(storage));
    const auto in_arena = nk::pack_weight(w.data(), n, k, nk::Layout::OutIn, storage, &arena);
    const auto on_heap = nk::pack_weight(w.data(), n, k, nk::Layout::OutIn, storage);
    CHECK(advised_huge(in_arena.view.data) == nk::huge_pages_used());
    CHECK_FALSE(advised_huge(on_heap.view.data));  // small, without an arena: the heap
    CHECK(std::memcmp(in_arena.view.data, on_heap.view.data,
                      static_cast<std::size_t>(nk::weight_bytes(on_heap.view))) == 0);
  }
}

TEST_CASE("huge pages: a model's converted weights live in its binder's arena") {
  const auto store = nib::io::WeightStore::open(nib::test::shared_path("models/tiny-llama"));
  for (const auto storage : {nib::kernels::Storage::BF16, nib::kernels::Storage::Int8}) {
    nib::models::WeightBinder binder(store, storage);
    const auto w = binder.matrix("model.layers.0.mlp.up_proj.weight", 176, 64, nk::Layout::OutIn);
    CHECK(advised_huge(w.data) == nk::huge_pages_used());  // 11 KB: on the heap without the arena
  }
}
