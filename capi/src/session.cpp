// Sessions: creation, reset, cancel.
#include "guard.hpp"
#include "handles.hpp"

using nib::capi::guard;
using nib::capi::need;

NIB_CAPI_NO_TAIL_PADDING(nib_session_options, reserved);

namespace {

nib_session_options default_session_options() {
  nib_session_options o{};
  o.struct_size = sizeof o;
  return o;
}

}  // namespace

extern "C" {

nib_status nib_session_options_init(nib_session_options* options) {
  return guard(__func__, [&] { *need(options, "options") = default_session_options(); });
}

nib_status nib_session_create(const nib_model* model, const nib_session_options* options, nib_session** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    const nib_model& m = *need(model, "model");
    const nib_session_options o = nib::capi::read_options(options, default_session_options(), "options");
    if (o.n_ctx < 0) nib::capi::invalid("options->n_ctx is negative");
    if (o.threads < 0) nib::capi::invalid("options->threads is negative");
    if (o.kv_cache_type != NIB_KV_CACHE_F32 && o.kv_cache_type != NIB_KV_CACHE_F16)
      nib::capi::invalid("options->kv_cache_type " + std::to_string(o.kv_cache_type) +
                         " is not a nib_kv_cache_type");
    nib::SessionOptions s;
    s.n_ctx = o.n_ctx ? o.n_ctx : m.n_ctx;
    s.threads = o.threads;
    s.drop_oldest_on_overflow = o.drop_oldest_on_overflow != 0;
    s.kv_cache = o.kv_cache_type == NIB_KV_CACHE_F16 ? nib::KvCacheType::F16 : nib::KvCacheType::F32;
    *out = new nib_session{nib::Session(m.model, s), {}};
  });
}

nib_status nib_session_free(nib_session* session) {
  delete session;
  return NIB_OK;
}

nib_status nib_session_reset(nib_session* session) {
  return guard(__func__, [&] {
    nib_session& s = *need(session, "session");
    s.session.reset();
    s.results = {};
  });
}

nib_status nib_session_cancel(nib_session* session) {
  return guard(__func__, [&] { need(session, "session")->session.cancel(); });
}
}
