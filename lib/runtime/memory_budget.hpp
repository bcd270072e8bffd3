#pragma once
// LoadOptions::max_memory_bytes: one budget per loaded model, charged with the model's weights at
// load and with each causal session's KV cache and buffers when they are created, always before
// the memory is allocated. Without a cap the charges are still counted (cheap), never refused.
#include <atomic>
#include <cstdint>
#include <string>

#include "io/weight_store.hpp"

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

// The bytes a model's weights hold once loaded: each floating-point tensor of the checkpoint at
// f32 size. F32 tensors are used in place, mapped, but they become resident as the model reads
// them, so a cap on memory counts them like the widened copies of F16/BF16/F64 tensors. With
// LoadOptions::weights BF16/F16 the linear weights take 2 bytes instead, with Int8 ~2.07 (the
// per-block copy the M = 1 GEMV reads, 1 + 2/32, and the per-channel copy oneDNN's int8 matmul
// reads at M > 1, 1 + 8 per output): f32 size is then an upper bound (conservative; it never lets
// a load exceed the cap). The encoder layers' prepacked f32 copies are charged on top, as they are
// made (kernels::onednn::f32_gemm_bytes). Overflow (impossible
// for tensors that fit their files) is a Format error.
std::uint64_t weight_bytes(const io::WeightStore& weights);

}  // namespace nib::detail
