// Encoder tasks: classify, fill-mask, embed, tag (single and batch).
#include "guard.hpp"
#include "handles.hpp"

using nib::capi::guard;
using nib::capi::invalid;
using nib::capi::need;

NIB_CAPI_NO_TAIL_PADDING(nib_task_options, reserved);
NIB_CAPI_NO_TAIL_PADDING(nib_classification, logits);
NIB_CAPI_NO_TAIL_PADDING(nib_fill_mask_result, logits);
NIB_CAPI_NO_TAIL_PADDING(nib_tags, ends);

namespace {

nib_task_options default_task_options() {
  nib_task_options o{};
  o.struct_size = sizeof o;
  o.truncate = 1;
  o.top_k = 5;
  return o;
}

struct Task {
  nib_task_options c;
  nib::EncodeOptions encode;
  nib::EmbedOptions embed;
};

Task read_task(const nib_task_options* options) {
  Task t{nib::capi::read_options(options, default_task_options(), "options"), {}, {}};
  if (t.c.pooling < NIB_POOLING_AUTO || t.c.pooling > NIB_POOLING_CLS)
    invalid("options->pooling " + std::to_string(t.c.pooling) + " is not a nib_pooling");
  if (t.c.aggregation < NIB_AGGREGATION_NONE || t.c.aggregation > NIB_AGGREGATION_MAX)
    invalid("options->aggregation " + std::to_string(t.c.aggregation) + " is not a nib_aggregation");
  t.encode.truncation = t.c.truncate ? nib::Truncation::Truncate : nib::Truncation::Error;
  constexpr nib::Pooling pooling[] = {nib::Pooling::Auto, nib::Pooling::Mean, nib::Pooling::Cls};
  t.embed.pooling = pooling[t.c.pooling];
  t.embed.normalize = t.c.normalize != 0;
  return t;
}

std::vector<std::string> text_list(const char* const* texts, size_t count) {
  if (!texts && count) invalid("texts is NULL");
  std::vector<std::string> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    if (!texts[i]) invalid("texts[" + std::to_string(i) + "] is NULL");
    out.emplace_back(texts[i]);
  }
  return out;
}

// Fresh result storage for a call on session.
nib_session_results& results(nib_session* session) {
  nib_session& s = *need(session, "session");
  s.results = {};
  return s.results;
}

// Points the C view at the session-owned classifications, at the caller's stride.
void write_classifications(nib_session_results& r, nib_classification* out) {
  const size_t stride = out->struct_size;
  if (stride < sizeof(size_t) || stride % alignof(nib_classification))
    invalid("out->struct_size " + std::to_string(stride) + " is not a valid nib_classification size");
  r.label_names.resize(r.classifications.size());
  for (size_t i = 0; i < r.classifications.size(); ++i) {
    const nib::Classification& c = r.classifications[i];
    auto& names = r.label_names[i];
    for (const auto& l : c.labels) names.push_back(l.c_str());
    nib_classification v{};
    v.label = c.label.c_str();
    v.label_index =
        static_cast<size_t>(std::find(c.labels.begin(), c.labels.end(), c.label) - c.labels.begin());
    v.label_count = c.labels.size();
    v.labels = names.data();
    v.scores = c.scores.data();
    v.logits = c.logits.data();
    auto* item = reinterpret_cast<nib_classification*>(reinterpret_cast<char*>(out) + i * stride);
    item->struct_size = stride;
    nib::capi::write_result(item, v, "out");
  }
}

void embed_rows(nib_session_results& r, const std::vector<std::vector<float>>& rows, const float** out,
                size_t* dim) {
  const size_t d = rows.empty() ? 0 : rows[0].size();
  r.floats.reserve(rows.size() * d);
  for (const auto& row : rows) r.floats.insert(r.floats.end(), row.begin(), row.end());
  *out = r.floats.data();
  *dim = d;
}

}  // namespace

extern "C" {

nib_status nib_task_options_init(nib_task_options* options) {
  return guard(__func__, [&] { *need(options, "options") = default_task_options(); });
}

nib_status nib_classify(nib_session* session, const char* text, const nib_task_options* options,
                        nib_classification* out) {
  return guard(__func__, [&] {
    nib::capi::need_result(out, "out");
    need(text, "text");
    const Task t = read_task(options);
    auto& r = results(session);
    r.classifications.push_back(session->session.classify(text, t.encode));
    write_classifications(r, out);
  });
}

nib_status nib_classify_batch(nib_session* session, const char* const* texts, size_t count,
                              const nib_task_options* options, nib_classification* out) {
  return guard(__func__, [&] {
    if (count) nib::capi::need_result(out, "out");
    const auto list = text_list(texts, count);
    const Task t = read_task(options);
    auto& r = results(session);
    if (!count) return;
    r.classifications = session->session.classify(list, t.encode);
    write_classifications(r, out);
  });
}

nib_status nib_fill_mask(nib_session* session, const char* text, const nib_task_options* options,
                         nib_fill_mask_result* out) {
  return guard(__func__, [&] {
    nib::capi::need_result(out, "out");
    need(text, "text");
    const Task t = read_task(options);
    if (t.c.top_k <= 0) invalid("options->top_k must be positive");
    auto& r = results(session);
    r.fills = session->session.fill_mask(text, t.c.top_k, t.encode);
    for (const auto& f : r.fills) {
      r.ids.push_back(f.id);
      r.strings_a.push_back(f.token.c_str());
      r.strings_b.push_back(f.sequence.c_str());
      r.floats_a.push_back(f.score);
      r.floats_b.push_back(f.logit);
    }
    nib_fill_mask_result v{};
    v.count = r.fills.size();
    v.ids = r.ids.data();
    v.tokens = r.strings_a.data();
    v.sequences = r.strings_b.data();
    v.scores = r.floats_a.data();
    v.logits = r.floats_b.data();
    nib::capi::write_result(out, v, "out");
  });
}

nib_status nib_embed(nib_session* session, const char* text, const nib_task_options* options,
                     const float** out, size_t* dim) {
  return guard(__func__, [&] {
    need(out, "out");
    need(dim, "dim");
    need(text, "text");
    const Task t = read_task(options);
    auto& r = results(session);
    embed_rows(r, {session->session.embed(text, t.embed, t.encode)}, out, dim);
  });
}

nib_status nib_embed_batch(nib_session* session, const char* const* texts, size_t count,
                           const nib_task_options* options, const float** out, size_t* dim) {
  return guard(__func__, [&] {
    need(out, "out");
    need(dim, "dim");
    const auto list = text_list(texts, count);
    const Task t = read_task(options);
    auto& r = results(session);
    embed_rows(r, count ? session->session.embed(list, t.embed, t.encode) : std::vector<std::vector<float>>{},
               out, dim);
  });
}

nib_status nib_tag_tokens(nib_session* session, const char* text, const nib_task_options* options,
                          nib_tags* out) {
  return guard(__func__, [&] {
    nib::capi::need_result(out, "out");
    need(text, "text");
    const Task t = read_task(options);
    auto& r = results(session);
    r.tags = session->session.tag_tokens(text, static_cast<nib::Aggregation>(t.c.aggregation), t.encode);
    for (const auto& tag : r.tags) {
      r.strings_a.push_back(tag.label.c_str());
      r.floats_a.push_back(tag.score);
      r.strings_b.push_back(tag.text.c_str());
      r.ints_a.push_back(tag.start);
      r.ints_b.push_back(tag.end);
    }
    nib_tags v{};
    v.count = r.tags.size();
    v.labels = r.strings_a.data();
    v.scores = r.floats_a.data();
    v.texts = r.strings_b.data();
    v.starts = r.ints_a.data();
    v.ends = r.ints_b.data();
    nib::capi::write_result(out, v, "out");
  });
}
}
