// Scoring continuations with a causal LM: nib_session_score and nib_session_choose.
#include "guard.hpp"
#include "handles.hpp"

using nib::capi::guard;
using nib::capi::invalid;
using nib::capi::need;

NIB_CAPI_NO_TAIL_PADDING(nib_continuation_score, logprob);
NIB_CAPI_NO_TAIL_PADDING(nib_choose_options, reserved);
NIB_CAPI_NO_TAIL_PADDING(nib_choice, probability);

namespace {

nib_choose_options default_choose_options() {
  nib_choose_options o{};
  o.struct_size = sizeof o;
  o.normalization = NIB_NORMALIZE_SUM;
  return o;
}

std::vector<std::string> text_list(const char* const* texts, size_t count, const char* name) {
  if (!texts && count) invalid(std::string(name) + " is NULL");
  std::vector<std::string> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    if (!texts[i]) invalid(std::string(name) + "[" + std::to_string(i) + "] is NULL");
    out.emplace_back(texts[i]);
  }
  return out;
}

// Item i of a caller's array of result structs laid out at out[0].struct_size bytes.
template <class T>
T* item(T* out, size_t i) {
  const size_t stride = out->struct_size;
  if (stride < sizeof(size_t) || stride % alignof(T))
    invalid("out->struct_size " + std::to_string(stride) + " is not a valid result struct size");
  auto* p = reinterpret_cast<T*>(reinterpret_cast<char*>(out) + i * stride);
  p->struct_size = stride;
  return p;
}

}  // namespace

extern "C" {

nib_status nib_choose_options_init(nib_choose_options* options) {
  return guard(__func__, [&] { *need(options, "options") = default_choose_options(); });
}

nib_status nib_session_score(nib_session* session, const char* prompt, const char* const* continuations,
                             size_t count, nib_continuation_score* out) {
  return guard(__func__, [&] {
    nib::capi::need_result(out, "out");
    nib_session& s = *need(session, "session");
    need(prompt, "prompt");
    const auto texts = text_list(continuations, count, "continuations");
    item(out, 0);  // checks the stride before any work
    s.results = {};
    s.results.scores = s.session.score(prompt, texts);
    for (size_t i = 0; i < s.results.scores.size(); ++i) {
      const nib::ContinuationScore& r = s.results.scores[i];
      nib_continuation_score c{};
      c.ids = r.ids.data();
      c.token_logprobs = r.token_logprobs.data();
      c.count = r.ids.size();
      c.logprob = r.logprob;
      nib::capi::write_result(item(out, i), c, "out");
    }
  });
}

nib_status nib_session_choose(nib_session* session, const char* prompt, const char* const* choices,
                              size_t count, const nib_choose_options* options, nib_choice* out) {
  return guard(__func__, [&] {
    nib::capi::need_result(out, "out");
    nib_session& s = *need(session, "session");
    need(prompt, "prompt");
    const nib_choose_options o = nib::capi::read_options(options, default_choose_options(), "options");
    if (o.normalization != NIB_NORMALIZE_SUM && o.normalization != NIB_NORMALIZE_MEAN)
      invalid("options->normalization " + std::to_string(o.normalization) +
              " is not a nib_length_normalization");
    nib::ChooseOptions c;
    c.normalization = o.normalization == NIB_NORMALIZE_MEAN ? nib::LengthNormalization::Mean
                                                            : nib::LengthNormalization::Sum;
    const auto texts = text_list(choices, count, "choices");
    item(out, 0);
    s.results = {};
    const auto result = s.session.choose(prompt, texts, c);
    for (size_t i = 0; i < result.size(); ++i) {
      nib_choice v{};
      v.tokens = result[i].tokens;
      v.logprob = result[i].logprob;
      v.mean_logprob = result[i].mean_logprob;
      v.probability = result[i].probability;
      nib::capi::write_result(item(out, i), v, "out");
    }
  });
}
}
