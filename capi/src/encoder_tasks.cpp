// Encoder tasks: classify, fill-mask, embed, tag (single and batch).
#include "guard.hpp"
#include "handles.hpp"

#include <iterator>

using nib::capi::guard;
using nib::capi::invalid;
using nib::capi::need;
using nib::capi::result_item;

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
  if (t.c.pooling < NIB_POOLING_AUTO || t.c.pooling > NIB_POOLING_LAST_TOKEN)
    invalid("options->pooling " + std::to_string(t.c.pooling) + " is not a nib_pooling");
  if (t.c.aggregation < NIB_AGGREGATION_NONE || t.c.aggregation > NIB_AGGREGATION_MAX)
    invalid("options->aggregation " + std::to_string(t.c.aggregation) + " is not a nib_aggregation");
  t.encode.truncation = t.c.truncate ? nib::Truncation::Truncate : nib::Truncation::Error;
  constexpr nib::Pooling pooling[] = {nib::Pooling::Auto, nib::Pooling::Mean, nib::Pooling::Cls,
                                      nib::Pooling::LastToken};
  t.embed.pooling = pooling[t.c.pooling];
  t.embed.normalize = t.c.normalize != 0;
  return t;
}

// Fresh result storage for a call on session.
nib_session_results& results(nib_session* session) {
  nib_session& s = *need(session, "session");
  s.results = {};
  return s.results;
}

// Points the C view at the session-owned classifications, at the caller's stride.
void write_classifications(nib_session_results& r, nib_classification* out) {
  result_item(out, 0);  // checks the stride
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
    nib::capi::write_result(result_item(out, i), v, "out");
  }
}

// Points one C view per text at the session-owned fills (r.fills holds every text's candidates,
// text i's from ends[i-1] to ends[i]); the flat arrays are complete before any pointer is taken.
void write_fills(nib_session_results& r, const std::vector<size_t>& ends, nib_fill_mask_result* out) {
  result_item(out, 0);
  for (const auto& f : r.fills) {
    r.ids.push_back(f.id);
    r.strings_a.push_back(f.token.c_str());
    r.strings_b.push_back(f.sequence.c_str());
    r.floats_a.push_back(f.score);
    r.floats_b.push_back(f.logit);
  }
  for (size_t i = 0, begin = 0; i < ends.size(); begin = ends[i++]) {
    nib_fill_mask_result v{};
    v.count = ends[i] - begin;
    v.ids = r.ids.data() + begin;
    v.tokens = r.strings_a.data() + begin;
    v.sequences = r.strings_b.data() + begin;
    v.scores = r.floats_a.data() + begin;
    v.logits = r.floats_b.data() + begin;
    nib::capi::write_result(result_item(out, i), v, "out");
  }
}

// The same for tags (r.tags holds every text's tags, text i's up to ends[i]).
void write_tags(nib_session_results& r, const std::vector<size_t>& ends, nib_tags* out) {
  result_item(out, 0);
  for (const auto& tag : r.tags) {
    r.strings_a.push_back(tag.label.c_str());
    r.floats_a.push_back(tag.score);
    r.strings_b.push_back(tag.text.c_str());
    r.ints_a.push_back(tag.start);
    r.ints_b.push_back(tag.end);
  }
  for (size_t i = 0, begin = 0; i < ends.size(); begin = ends[i++]) {
    nib_tags v{};
    v.count = ends[i] - begin;
    v.labels = r.strings_a.data() + begin;
    v.scores = r.floats_a.data() + begin;
    v.texts = r.strings_b.data() + begin;
    v.starts = r.ints_a.data() + begin;
    v.ends = r.ints_b.data() + begin;
    nib::capi::write_result(result_item(out, i), v, "out");
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
    const auto list = nib::capi::text_list(texts, count, "texts");
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
    write_fills(r, {r.fills.size()}, out);
  });
}

nib_status nib_fill_mask_batch(nib_session* session, const char* const* texts, size_t count,
                               const nib_task_options* options, nib_fill_mask_result* out) {
  return guard(__func__, [&] {
    if (count) nib::capi::need_result(out, "out");
    const auto list = nib::capi::text_list(texts, count, "texts");
    const Task t = read_task(options);
    if (t.c.top_k <= 0) invalid("options->top_k must be positive");
    auto& r = results(session);
    if (!count) return;
    std::vector<size_t> ends;
    for (const auto& text : list) {
      auto fills = session->session.fill_mask(text, t.c.top_k, t.encode);
      r.fills.insert(r.fills.end(), std::make_move_iterator(fills.begin()),
                     std::make_move_iterator(fills.end()));
      ends.push_back(r.fills.size());
    }
    write_fills(r, ends, out);
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
    const auto list = nib::capi::text_list(texts, count, "texts");
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
    write_tags(r, {r.tags.size()}, out);
  });
}

nib_status nib_tag_tokens_batch(nib_session* session, const char* const* texts, size_t count,
                                const nib_task_options* options, nib_tags* out) {
  return guard(__func__, [&] {
    if (count) nib::capi::need_result(out, "out");
    const auto list = nib::capi::text_list(texts, count, "texts");
    const Task t = read_task(options);
    auto& r = results(session);
    if (!count) return;
    std::vector<size_t> ends;
    for (const auto& text : list) {
      auto tags = session->session.tag_tokens(text, static_cast<nib::Aggregation>(t.c.aggregation), t.encode);
      r.tags.insert(r.tags.end(), std::make_move_iterator(tags.begin()), std::make_move_iterator(tags.end()));
      ends.push_back(r.tags.size());
    }
    write_tags(r, ends, out);
  });
}
}
