#include "runtime/memory_budget.hpp"

#include <nib/error.hpp>

namespace nib::detail {

MemoryBudget::Reservation& MemoryBudget::Reservation::operator=(Reservation&& o) noexcept {
  if (this != &o) {
    release();
    budget_ = o.budget_;
    bytes_ = o.bytes_;
    o.budget_ = nullptr;
  }
  return *this;
}

void MemoryBudget::Reservation::release() noexcept {
  if (budget_) budget_->used_.fetch_sub(bytes_);
  budget_ = nullptr;
}

MemoryBudget::Reservation MemoryBudget::reserve(std::uint64_t bytes, const std::string& what) {
  std::uint64_t used = used_.load();
  do {
    if (cap_ && (bytes > cap_ || used > cap_ - bytes)) {
      throw Error(Status::OutOfMemory,
                  "memory cap: " + what + " needs " + std::to_string(bytes) + " bytes, " +
                      (used ? std::to_string(used) + " bytes are already held, " : std::string()) +
                      "and LoadOptions.max_memory_bytes allows " + std::to_string(cap_));
    }
  } while (!used_.compare_exchange_weak(used, used + bytes));
  return Reservation(this, bytes);
}

}  // namespace nib::detail
