#pragma once
// LoadOptions::max_memory_bytes: one budget per loaded model, charged with the model's weights as
// they are bound at load (what each holds: models::WeightBinder::on_hold) and with each causal
// session's KV cache and buffers when they are created, always before the memory is allocated.
// Without a cap the charges are still counted (cheap), never refused.
#include <atomic>
#include <cstdint>
#include <string>

namespace nib::detail {

class MemoryBudget {
 public:
  // Holds `bytes` of the budget until destroyed.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& o) noexcept : budget_(o.budget_), bytes_(o.bytes_) { o.budget_ = nullptr; }
    Reservation& operator=(Reservation&& o) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation() { release(); }
    std::uint64_t bytes() const { return bytes_; }

   private:
    friend class MemoryBudget;
    Reservation(MemoryBudget* b, std::uint64_t bytes) : budget_(b), bytes_(bytes) {}
    void release() noexcept;
    MemoryBudget* budget_ = nullptr;
    std::uint64_t bytes_ = 0;
  };

  explicit MemoryBudget(std::uint64_t cap) : cap_(cap) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Reserves `bytes` for `what`, or throws OutOfMemory naming what, the bytes it needs, the bytes
  // already held and the cap.
  Reservation reserve(std::uint64_t bytes, const std::string& what);
  std::uint64_t used() const { return used_.load(); }
  std::uint64_t cap() const { return cap_; }

 private:
  const std::uint64_t cap_;  // 0: none
  std::atomic<std::uint64_t> used_{0};
};

}  // namespace nib::detail
