#include <nib/adapter.hpp>
#include <nib/session.hpp>

#include "runtime/active_adapters.hpp"
#include "runtime/causal_runtime.hpp"
#include "runtime/session_impl.hpp"

namespace nib {

Adapter::Adapter(std::shared_ptr<const detail::AdapterImpl> impl) : impl_(std::move(impl)) {}

Adapter Adapter::load(const Model& base, const std::filesystem::path& dir) {
  return Adapter(std::make_shared<const detail::AdapterImpl>(base, dir));
}

const AdapterInfo& Adapter::info() const {
  return impl_->info();
}

void Session::use_adapters(std::span<const AdapterRef> adapters) {
  auto active = std::make_unique<detail::ActiveAdapters>(impl_->model_impl(), adapters);
  // Cached keys/values were computed under the previous set.
  reset();
  impl_->active_adapters = active->empty() ? nullptr : std::move(active);
  impl_->adapters = impl_->active_adapters.get();
}

void Session::clear_adapters() {
  use_adapters({});
}

}  // namespace nib
