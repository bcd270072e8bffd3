#include "runtime/active_adapters.hpp"

#include <cmath>

#include <nib/error.hpp>

namespace nib::detail {

ActiveAdapters::ActiveAdapters(const ModelImpl& base, std::span<const AdapterRef> refs) {
  const auto n = base.modules().modules().size();
  deltas_.resize(n);
  replacements_.assign(n, nullptr);
  for (const auto& ref : refs) {
    const AdapterImpl& a = ref.adapter.impl();
    if (a.base() != &base) {
      throw Error(Status::InvalidArgument, "adapter " + a.info().path.string() +
                                               " was loaded for a different Model than this session's");
    }
    if (!std::isfinite(ref.weight)) throw Error(Status::InvalidArgument, "adapter weight must be finite");
    refs_.push_back(ref.adapter.shared_impl());
    for (const auto& d : a.deltas()) {
      deltas_[static_cast<std::size_t>(d.module)].push_back(
          {d.a.data(), d.b.data(), d.rank, d.scale * ref.weight});
    }
    for (const auto& r : a.replacements()) {
      auto& slot = replacements_[static_cast<std::size_t>(r.module)];
      if (slot) {
        throw Error(Status::InvalidArgument,
                    "two active adapters replace the same module (modules_to_save): " +
                        base.modules().modules()[static_cast<std::size_t>(r.module)].name);
      }
      slot = &r.linear;
    }
  }
  for (const auto& list : deltas_) {
    std::int64_t total = 0;
    for (const auto& d : list) total = std::max(total, d.rank);
    max_total_rank_ = std::max(max_total_rank_, total);
  }
}

std::span<const models::LoraDelta> ActiveAdapters::deltas(int module) const {
  return deltas_[static_cast<std::size_t>(module)];
}

const models::Linear* ActiveAdapters::replacement(int module) const {
  return replacements_[static_cast<std::size_t>(module)];
}

}  // namespace nib::detail
