// LoRA adapters: load against a base model, attach to / detach from a session.
#include <nib/adapter.hpp>

#include "guard.hpp"
#include "handles.hpp"

using nib::capi::guard;
using nib::capi::need;

NIB_CAPI_NO_TAIL_PADDING(nib_adapter_info, reserved);

extern "C" {

nib_status nib_adapter_load(const nib_model* base, const char* path, nib_adapter** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    const nib::Model& m = need(base, "base")->model;
    *out = new nib_adapter{nib::Adapter::load(m, need(path, "path"))};
  });
}

nib_status nib_adapter_free(nib_adapter* adapter) {
  delete adapter;
  return NIB_OK;
}

nib_status nib_adapter_get_info(const nib_adapter* adapter, nib_adapter_info* info) {
  return guard(__func__, [&] {
    nib::capi::need_result(info, "info");
    const nib::AdapterInfo& i = need(adapter, "adapter")->adapter.info();
    nib_adapter_info r{};
    r.path = i.path.c_str();
    r.task_type = i.task_type.c_str();
    r.rank = i.rank;
    r.alpha = i.alpha;
    r.parameter_count = i.parameter_count;
    r.label_count = i.labels.size();
    r.rslora = i.rslora ? 1 : 0;
    nib::capi::write_result(info, r, "info");
  });
}

nib_status nib_adapter_label(const nib_adapter* adapter, size_t index, const char** out) {
  return guard(__func__, [&] {
    need(out, "out");
    const auto& labels = need(adapter, "adapter")->adapter.info().labels;
    if (index >= labels.size())
      nib::capi::invalid("label index " + std::to_string(index) + " is out of range (the adapter has " +
                         std::to_string(labels.size()) + " labels)");
    *out = labels[index].c_str();
  });
}

nib_status nib_session_use_adapters(nib_session* session, const nib_adapter* const* adapters,
                                    const float* weights, size_t count) {
  return guard(__func__, [&] {
    nib_session& s = *need(session, "session");
    if (!adapters && count) nib::capi::invalid("adapters is NULL");
    std::vector<nib::AdapterRef> refs;
    refs.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (!adapters[i]) nib::capi::invalid("adapters[" + std::to_string(i) + "] is NULL");
      refs.push_back({adapters[i]->adapter, weights ? weights[i] : 1.f});
    }
    s.results = {};
    s.session.use_adapters(refs);
  });
}

nib_status nib_session_clear_adapters(nib_session* session) {
  return guard(__func__, [&] {
    nib_session& s = *need(session, "session");
    s.results = {};
    s.session.clear_adapters();
  });
}
}
