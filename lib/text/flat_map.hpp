#pragma once
// An open-addressing hash map from 64-bit keys to 64-bit values, built once and then only read:
// the models' hot lookups (BPE merge ranks, single-character ids) without std::unordered_map's
// node chasing and modulo. Linear probing in a power-of-two table at most half full.
#include <cstdint>
#include <optional>
#include <vector>

namespace nib::text {

class FlatMap64 {
 public:
  // Inserts or overwrites. `key` must not be kEmpty.
  void set(std::uint64_t key, std::uint64_t value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    Slot& s = slots_[find_slot(key)];
    if (s.key == kEmpty) ++size_;
    s = {key, value};
  }
  std::optional<std::uint64_t> find(std::uint64_t key) const {
    if (slots_.empty()) return std::nullopt;
    const Slot& s = slots_[find_slot(key)];
    if (s.key == kEmpty) return std::nullopt;
    return s.value;
  }
  std::size_t size() const { return size_; }
  void reserve(std::size_t n) {
    while (2 * n > slots_.size()) grow();
  }

  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

 private:
  struct Slot {
    std::uint64_t key = kEmpty, value = 0;
  };
  std::size_t find_slot(std::uint64_t key) const {
    std::size_t mask = slots_.size() - 1;
    // Fibonacci hashing: the top bits of the product depend on every bit of the key.
    std::size_t i = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
    while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask;
    return i;
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    shift_ = 64;
    for (std::size_t n = slots_.size(); n > 1; n >>= 1) --shift_;
    for (const Slot& s : old) {
      if (s.key != kEmpty) slots_[find_slot(s.key)] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  int shift_ = 64;  // 64 - log2(slots_.size())
};

}  // namespace nib::text
