#include <nib/error.hpp>
#include <nib/session.hpp>

#include "runtime/causal_runtime.hpp"
#include "runtime/encoder_runtime.hpp"
#include "runtime/session_impl.hpp"

namespace nib {

const char* stop_reason_name(StopReason r) noexcept {
  switch (r) {
    case StopReason::MaxTokens: return "max_tokens";
    case StopReason::Eos: return "eos";
    case StopReason::StopString: return "stop_string";
    case StopReason::Callback: return "callback";
    case StopReason::Cancelled: return "cancelled";
    case StopReason::ContextFull: return "context_full";
  }
  return "unknown";
}

Session::Session(const Model& model, const SessionOptions& options)
    : impl_(std::make_unique<detail::SessionImpl>(model, options)) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

const Model& Session::model() const {
  return impl_->model;
}

void Session::cancel() {
  impl_->cancel_requested.store(true);
}

void Session::reset() {
  impl_->cancel_requested.store(false);
  if (impl_->causal) impl_->causal->clear();
}

}  // namespace nib
