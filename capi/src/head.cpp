// Task heads: train, load, save, describe, attach to a session.
#include <nib/head.hpp>

#include "guard.hpp"
#include "handles.hpp"

using nib::capi::guard;
using nib::capi::invalid;
using nib::capi::need;

NIB_CAPI_NO_TAIL_PADDING(nib_train_head_options, progress_user_data);
NIB_CAPI_NO_TAIL_PADDING(nib_head_info, base_checksum);
NIB_CAPI_NO_TAIL_PADDING(nib_head_report, fold_iterations);

namespace {

nib_train_head_options default_options() {
  const nib::TrainHeadOptions d;
  nib_train_head_options o{};
  o.struct_size = sizeof o;
  o.pooling = NIB_POOLING_AUTO;
  o.l2 = d.l2;
  o.tolerance = d.tolerance;
  o.learning_rate = d.learning_rate;
  o.validation_fraction = d.validation_fraction;
  o.seed = d.seed;
  o.max_iterations = d.max_iterations;
  o.folds = d.folds;
  o.patience = d.patience;
  return o;
}

nib::Pooling to_pooling(int32_t p) {
  switch (p) {
    case NIB_POOLING_AUTO: return nib::Pooling::Auto;
    case NIB_POOLING_MEAN: return nib::Pooling::Mean;
    case NIB_POOLING_CLS: return nib::Pooling::Cls;
    case NIB_POOLING_LAST_TOKEN: return nib::Pooling::LastToken;
  }
  invalid("options->pooling " + std::to_string(p) + " is not a nib_pooling");
}

int32_t from_pooling(nib::Pooling p) {
  switch (p) {
    case nib::Pooling::Auto: return NIB_POOLING_AUTO;
    case nib::Pooling::Mean: return NIB_POOLING_MEAN;
    case nib::Pooling::Cls: return NIB_POOLING_CLS;
    case nib::Pooling::LastToken: return NIB_POOLING_LAST_TOKEN;
  }
  return NIB_POOLING_AUTO;
}

std::vector<std::string> split_lines(const char* s) {
  std::vector<std::string> out;
  std::string cur;
  for (const char* p = s; *p; ++p) {
    if (*p == '\n') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += *p;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

nib_head* wrap(nib::Head head, nib::TrainHeadReport report) {
  auto* h = new nib_head{std::move(head), std::move(report), {}, {}, {}, {}};
  for (const auto& row : h->report.confusion) h->confusion.insert(h->confusion.end(), row.begin(), row.end());
  for (const auto& f : h->report.per_fold) {
    h->fold_accuracy.push_back(f.accuracy);
    h->fold_macro_f1.push_back(f.macro_f1);
    h->fold_iterations.push_back(f.iterations);
  }
  return h;
}

}  // namespace

extern "C" {

nib_status nib_train_head_options_init(nib_train_head_options* options) {
  return guard(__func__, [&] { *need(options, "options") = default_options(); });
}

nib_status nib_train_head(const nib_model* model, const char* const* texts, const char* const* labels,
                          size_t count, const nib_train_head_options* options, nib_head** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    const nib::Model& m = need(model, "model")->model;
    const auto text_list = nib::capi::text_list(texts, count, "texts");
    const auto label_list = nib::capi::text_list(labels, count, "labels");
    const auto o = nib::capi::read_options(options, default_options(), "options");
    nib::TrainHeadOptions cpp;
    cpp.pooling = to_pooling(o.pooling);
    cpp.normalize = o.normalize != 0;
    cpp.multi_label = o.multi_label != 0;
    cpp.hidden_units = o.hidden_units;
    cpp.l2 = o.l2;
    cpp.tolerance = o.tolerance;
    cpp.learning_rate = o.learning_rate;
    cpp.validation_fraction = o.validation_fraction;
    cpp.seed = o.seed;
    cpp.max_iterations = o.max_iterations;
    cpp.folds = o.folds;
    cpp.patience = o.patience;
    cpp.class_weighting = o.balanced ? nib::ClassWeighting::Balanced : nib::ClassWeighting::None;
    cpp.threads = o.threads;
    if (!o.adapters && o.adapter_count) invalid("options->adapters is NULL");
    for (size_t i = 0; i < o.adapter_count; ++i) {
      if (!o.adapters[i]) invalid("options->adapters[" + std::to_string(i) + "] is NULL");
      cpp.adapters.push_back({o.adapters[i]->adapter, o.adapter_weights ? o.adapter_weights[i] : 1.f});
    }
    if (o.progress) {
      cpp.progress = [fn = o.progress, user = o.progress_user_data](float p) { return fn(p, user) == 0; };
    }
    std::vector<nib::LabelledText> examples;
    examples.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      examples.push_back(
          {text_list[i], cpp.multi_label ? split_lines(labels[i]) : std::vector{label_list[i]}});
    }
    auto trained = nib::train_head(m, examples, cpp);
    *out = wrap(std::move(trained.head), std::move(trained.report));
  });
}

nib_status nib_head_load(const nib_model* base, const char* path, nib_head** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    const nib::Model& m = need(base, "base")->model;
    *out = wrap(nib::Head::load(need(path, "path"), m), {});
  });
}

nib_status nib_head_save(const nib_head* head, const char* path) {
  return guard(__func__, [&] { need(head, "head")->head.save(need(path, "path")); });
}

nib_status nib_head_free(nib_head* head) {
  delete head;
  return NIB_OK;
}

nib_status nib_head_get_info(const nib_head* head, nib_head_info* info) {
  return guard(__func__, [&] {
    nib::capi::need_result(info, "info");
    const nib::HeadInfo& i = need(head, "head")->head.info();
    nib_head_info r{};
    r.label_count = i.labels.size();
    r.feature_dim = i.feature_dim;
    r.hidden_units = i.hidden_units;
    r.multi_label = i.multi_label ? 1 : 0;
    r.pooling = from_pooling(i.pooling);
    r.normalize = i.normalize ? 1 : 0;
    r.base_architecture = i.base_architecture.c_str();
    r.base_checksum = i.base_checksum.c_str();
    nib::capi::write_result(info, r, "info");
  });
}

nib_status nib_head_label(const nib_head* head, size_t index, const char** out) {
  return guard(__func__, [&] {
    need(out, "out");
    const auto& labels = need(head, "head")->head.info().labels;
    if (index >= labels.size()) {
      invalid("label index " + std::to_string(index) + " is out of range (the head has " +
              std::to_string(labels.size()) + " labels)");
    }
    *out = labels[index].c_str();
  });
}

nib_status nib_head_get_report(const nib_head* head, nib_head_report* report) {
  return guard(__func__, [&] {
    nib::capi::need_result(report, "report");
    const nib_head& h = *need(head, "head");
    const auto& rep = h.report;
    nib_head_report r{};
    r.examples = rep.examples;
    r.features_computed = rep.features_computed;
    r.cv_accuracy = rep.cv_accuracy;
    r.cv_macro_f1 = rep.cv_macro_f1;
    r.train_loss = rep.train_loss;
    r.feature_ms = rep.feature_ms;
    r.fit_ms = rep.fit_ms;
    r.folds = rep.folds;
    r.iterations = rep.iterations;
    r.converged = rep.converged ? 1 : 0;
    r.label_count = h.head.info().labels.size();
    r.confusion = h.confusion.empty() ? nullptr : h.confusion.data();
    r.fold_accuracy = h.fold_accuracy.empty() ? nullptr : h.fold_accuracy.data();
    r.fold_macro_f1 = h.fold_macro_f1.empty() ? nullptr : h.fold_macro_f1.data();
    r.fold_iterations = h.fold_iterations.empty() ? nullptr : h.fold_iterations.data();
    nib::capi::write_result(report, r, "report");
  });
}

nib_status nib_session_set_head(nib_session* session, const nib_head* head) {
  return guard(__func__, [&] {
    nib_session& s = *need(session, "session");
    s.session.set_head(need(head, "head")->head);
    s.results = {};
  });
}

nib_status nib_session_clear_head(nib_session* session) {
  return guard(__func__, [&] {
    nib_session& s = *need(session, "session");
    s.session.clear_head();
    s.results = {};
  });
}
}
