// Model loading and description.
#include "guard.hpp"
#include "handles.hpp"

using nib::capi::guard;
using nib::capi::need;

NIB_CAPI_NO_TAIL_PADDING(nib_load_options, progress_user_data);
NIB_CAPI_NO_TAIL_PADDING(nib_model_info, num_labels);

namespace {

nib_load_options default_load_options() {
  nib_load_options o{};
  o.struct_size = sizeof o;
  return o;
}

nib::LoadOptions to_cpp(const nib_load_options& o) {
  if (o.threads < 0) nib::capi::invalid("options->threads is negative");
  if (o.n_ctx < 0) nib::capi::invalid("options->n_ctx is negative");
  if (o.weight_type < NIB_WEIGHTS_AUTO || o.weight_type > NIB_WEIGHTS_INT4)
    nib::capi::invalid("options->weight_type " + std::to_string(o.weight_type) + " is not a nib_weight_type");
  nib::LoadOptions out;
  out.threads = o.threads;
  out.weights = static_cast<nib::WeightType>(o.weight_type);
  out.max_memory_bytes = o.max_memory_bytes;
  return out;
}

// Reports load progress to the C callback: always 0 before and 1 after (whatever the C++ loader
// reports in between), never repeating or going back. Returns false when the callback cancels.
struct Progress {
  nib_progress_fn fn;
  void* user;
  float last = -1.f;

  bool report(float p) {
    if (!fn || p <= last) return true;
    last = p;
    return fn(p, user) == 0;
  }
  void check(float p) {
    if (!report(p)) throw nib::Error(nib::Status::Cancelled, "cancelled by the progress callback");
  }
};

}  // namespace

extern "C" {

nib_status nib_load_options_init(nib_load_options* options) {
  return guard(__func__, [&] { *need(options, "options") = default_load_options(); });
}

nib_status nib_model_load(const char* path, const nib_load_options* options, nib_model** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    need(path, "path");
    const nib_load_options o = nib::capi::read_options(options, default_load_options(), "options");
    nib::LoadOptions cpp = to_cpp(o);
    Progress progress{o.progress, o.progress_user_data};
    if (o.progress) cpp.progress = [&progress](float p) { return progress.report(p); };
    progress.check(0.f);
    nib::Model model = nib::Model::load(path, cpp);
    progress.check(1.f);
    *out = new nib_model{std::move(model), o.n_ctx};
  });
}

nib_status nib_model_free(nib_model* model) {
  delete model;
  return NIB_OK;
}

nib_status nib_model_get_info(const nib_model* model, nib_model_info* info) {
  return guard(__func__, [&] {
    nib::capi::need_result(info, "info");
    const nib::ModelInfo& i = need(model, "model")->model.info();
    nib_model_info r{};
    r.path = i.path.c_str();
    r.architecture = i.architecture.c_str();
    r.model_type = i.model_type.c_str();
    r.kind = nib::kind_name(i.kind);
    r.head = nib::head_name(i.head);
    r.problem_type = i.problem_type.c_str();
    r.tokenizer_kind = i.tokenizer_kind.c_str();
    r.hidden_size = i.hidden_size;
    r.num_layers = i.num_layers;
    r.num_heads = i.num_heads;
    r.num_kv_heads = i.num_kv_heads;
    r.head_dim = i.head_dim;
    r.intermediate_size = i.intermediate_size;
    r.vocab_size = i.vocab_size;
    r.max_positions = i.max_positions;
    r.parameter_count = i.parameter_count;
    r.num_labels = i.labels.size();
    nib::capi::write_result(info, r, "info");
  });
}

nib_status nib_model_label(const nib_model* model, size_t index, const char** out) {
  return guard(__func__, [&] {
    need(out, "out");
    const auto& labels = need(model, "model")->model.info().labels;
    if (index >= labels.size())
      nib::capi::invalid("label index " + std::to_string(index) + " is out of range (the model has " +
                         std::to_string(labels.size()) + " labels)");
    *out = labels[index].c_str();
  });
}
}
