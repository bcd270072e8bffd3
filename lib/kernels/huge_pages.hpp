#pragma once
// Memory that decode streams every token (packed weights, the KV cache) in 2 MiB transparent huge
// pages where the kernel grants them (THP "madvise" mode is Debian's default). With 4 KiB pages the
// decode GEMVs (gate/up reads two weight streams per thread) and attention (scattered K/V rows) pay
// for TLB misses: SmolLM2-360M decode gained 20-50% in tokens/s in int8, int4, bf16 and f16 (same-run
// A/B), while a plain one-stream read gains nothing.
// AddressSanitizer builds use the ordinary heap so that every buffer keeps its redzones.
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace nib::kernels {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

// False in AddressSanitizer builds, where HugePageAllocator takes every buffer from the heap.
constexpr bool huge_pages_used() {
#if defined(__SANITIZE_ADDRESS__)
  return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return false;
#else
  return true;
#endif
#else
  return true;
#endif
}
// `bytes` rounded up to whole huge pages, 2 MiB aligned, zero-filled on first touch; throws
// std::bad_alloc. Release with unmap_huge(p, bytes) (the same bytes).
void* map_huge(std::size_t bytes);
void unmap_huge(void* p, std::size_t bytes) noexcept;

// Bump allocation from huge-page blocks, all released with the arena: a model's packed weights,
// which live exactly as long as the model. Blocks are shared by consecutive buffers, so that no
// huge page is left partly used per buffer (a 1 MB matrix would otherwise cost a 2 MiB page, or
// none); a partly used huge page is left only at the end of each block.
class HugePageArena {
 public:
  HugePageArena() = default;
  HugePageArena(const HugePageArena&) = delete;
  HugePageArena& operator=(const HugePageArena&) = delete;
  ~HugePageArena();
  // `bytes` of uninitialised memory, 64-byte aligned, valid until the arena is destroyed.
  void* allocate(std::size_t bytes);

 private:
  struct Block {
    char* base;
    std::size_t size, used;
  };
  std::vector<Block> blocks_;
};

// A vector allocator for long-lived buffers: from `arena` when given (deallocate is then a no-op:
// the arena frees), else huge pages of their own for 2 MiB or more (the KV cache; rounded up to whole
// huge pages, so meant for large buffers), else the heap. Value-initialisation leaves elements
// uninitialised (`Uninit`): packed weight buffers are written whole by the parallel packing loops,
// which then also take the pages' first-touch faults (a zero-fill would take them serially).
template <class T, bool Uninit = false>
struct HugePageAllocator {
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  template <class U>
  struct rebind {
    using other = HugePageAllocator<U, Uninit>;
  };
  HugePageArena* arena = nullptr;

  HugePageAllocator() = default;
  explicit HugePageAllocator(HugePageArena* a) noexcept : arena(a) {}
  template <class U>
  HugePageAllocator(const HugePageAllocator<U, Uninit>& o) noexcept : arena(o.arena) {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (from_arena()) return static_cast<T*>(arena->allocate(bytes));
    if (own_pages(bytes)) return static_cast<T*>(map_huge(bytes));
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (from_arena()) return;
    if (own_pages(n * sizeof(T))) return unmap_huge(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  void construct(U* p) noexcept(Uninit) {
    if constexpr (Uninit)
      ::new (static_cast<void*>(p)) U;
    else
      ::new (static_cast<void*>(p)) U();
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <class U>
  bool operator==(const HugePageAllocator<U, Uninit>& o) const noexcept {
    return arena == o.arena;
  }

 private:
  bool from_arena() const { return arena && huge_pages_used(); }
  static bool own_pages(std::size_t bytes) { return bytes >= kHugePage && huge_pages_used(); }
};

}  // namespace nib::kernels
