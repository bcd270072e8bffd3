#include "runtime/session_impl.hpp"

#include <nib/error.hpp>

#include "runtime/active_adapters.hpp"
#include "runtime/causal_runtime.hpp"
#include "runtime/encoder_runtime.hpp"

namespace nib::detail {

SessionImpl::SessionImpl(const Model& m, const SessionOptions& o) : model(m), options(o) {
  if (options.n_ctx < 0) throw Error(Status::InvalidArgument, "SessionOptions.n_ctx must be >= 0");
  if (options.threads < 0) throw Error(Status::InvalidArgument, "SessionOptions.threads must be >= 0");
  if (options.kv_cache != KvCacheType::F32 && options.kv_cache != KvCacheType::F16) {
    throw Error(Status::InvalidArgument, "SessionOptions.kv_cache " +
                                             std::to_string(static_cast<int>(options.kv_cache)) +
                                             " is not a KvCacheType (F32 or F16)");
  }
}

SessionImpl::~SessionImpl() = default;

void SessionImpl::check_cancelled() {
  if (cancel_requested.exchange(false)) throw Error(Status::Cancelled, "cancelled");
}

}  // namespace nib::detail
