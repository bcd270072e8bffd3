// Scoring continuations with a causal LM: nib_session_score, nib_session_choose and the few-shot
// classifier built on it, nib_session_classify_in_context.
#include "guard.hpp"
#include "handles.hpp"

using nib::capi::guard;
using nib::capi::invalid;
using nib::capi::need;

NIB_CAPI_NO_TAIL_PADDING(nib_continuation_score, logprob);
NIB_CAPI_NO_TAIL_PADDING(nib_choose_options, reserved);
NIB_CAPI_NO_TAIL_PADDING(nib_choice, probability);
NIB_CAPI_NO_TAIL_PADDING(nib_in_context_options, reserved);
NIB_CAPI_NO_TAIL_PADDING(nib_in_context_classification, prompt);

namespace {

nib_choose_options default_choose_options() {
  nib_choose_options o{};
  o.struct_size = sizeof o;
  o.normalization = NIB_NORMALIZE_SUM;
  return o;
}

nib_in_context_options default_in_context_options() {
  nib_in_context_options o{};
  o.struct_size = sizeof o;
  o.normalization = NIB_NORMALIZE_SUM;
  return o;
}

nib::LengthNormalization normalization(int32_t value) {
  if (value != NIB_NORMALIZE_SUM && value != NIB_NORMALIZE_MEAN)
    invalid("options->normalization " + std::to_string(value) + " is not a nib_length_normalization");
  return value == NIB_NORMALIZE_MEAN ? nib::LengthNormalization::Mean : nib::LengthNormalization::Sum;
}

}  // namespace

extern "C" {

nib_status nib_choose_options_init(nib_choose_options* options) {
  return guard(__func__, [&] { *need(options, "options") = default_choose_options(); });
}

nib_status nib_in_context_options_init(nib_in_context_options* options) {
  return guard(__func__, [&] { *need(options, "options") = default_in_context_options(); });
}

nib_status nib_session_score(nib_session* session, const char* prompt, const char* const* continuations,
                             size_t count, nib_continuation_score* out) {
  return guard(__func__, [&] {
    nib::capi::need_result(out, "out");
    nib_session& s = *need(session, "session");
    need(prompt, "prompt");
    const auto texts = nib::capi::text_list(continuations, count, "continuations");
    nib::capi::result_item(out, 0);  // checks the stride before any work
    s.results = {};
    s.results.scores = s.session.score(prompt, texts);
    for (size_t i = 0; i < s.results.scores.size(); ++i) {
      const nib::ContinuationScore& r = s.results.scores[i];
      nib_continuation_score c{};
      c.ids = r.ids.data();
      c.token_logprobs = r.token_logprobs.data();
      c.count = r.ids.size();
      c.logprob = r.logprob;
      nib::capi::write_result(nib::capi::result_item(out, i), c, "out");
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
    nib::ChooseOptions c;
    c.normalization = normalization(o.normalization);
    const auto texts = nib::capi::text_list(choices, count, "choices");
    nib::capi::result_item(out, 0);
    s.results = {};
    const auto result = s.session.choose(prompt, texts, c);
    for (size_t i = 0; i < result.size(); ++i) {
      nib_choice v{};
      v.tokens = result[i].tokens;
      v.logprob = result[i].logprob;
      v.mean_logprob = result[i].mean_logprob;
      v.probability = result[i].probability;
      nib::capi::write_result(nib::capi::result_item(out, i), v, "out");
    }
  });
}

nib_status nib_session_classify_in_context(nib_session* session, const nib_labelled_example* examples,
                                           size_t count, const char* text,
                                           const nib_in_context_options* options,
                                           nib_in_context_classification* out) {
  return guard(__func__, [&] {
    nib::capi::need_result(out, "out");
    nib_session& s = *need(session, "session");
    need(text, "text");
    if (!examples && count) invalid("examples is NULL");
    std::vector<nib::LabelledExample> list;
    list.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      const std::string at = "examples[" + std::to_string(i) + "]";
      list.push_back(
          {need(examples[i].text, (at + ".text").c_str()), need(examples[i].label, (at + ".label").c_str())});
    }
    const nib_in_context_options o =
        nib::capi::read_options(options, default_in_context_options(), "options");
    nib::InContextOptions c;
    if (o.instruction) c.instruction = o.instruction;
    if (o.separator) c.separator = o.separator;
    if (o.line_format) c.line_format = o.line_format;
    c.choose.normalization = normalization(o.normalization);
    s.results = {};
    nib_session_results& r = s.results;
    r.in_context = s.session.classify_in_context(list, text, c);
    const nib::InContextClassification& ic = r.in_context;
    for (size_t i = 0; i < ic.choices.size(); ++i) {
      r.strings_a.push_back(ic.labels[i].c_str());
      r.strings_b.push_back(ic.choices[i].text.c_str());
      r.ints_a.push_back(ic.choices[i].tokens);
      r.doubles_a.push_back(ic.choices[i].logprob);
      r.doubles_b.push_back(ic.choices[i].mean_logprob);
      r.doubles_c.push_back(ic.choices[i].probability);
    }
    nib_in_context_classification v{};
    v.label = ic.label.c_str();
    v.label_index =
        static_cast<size_t>(std::find(ic.labels.begin(), ic.labels.end(), ic.label) - ic.labels.begin());
    v.label_count = ic.labels.size();
    v.labels = r.strings_a.data();
    v.continuations = r.strings_b.data();
    v.tokens = r.ints_a.data();
    v.logprobs = r.doubles_a.data();
    v.mean_logprobs = r.doubles_b.data();
    v.probabilities = r.doubles_c.data();
    v.prompt = ic.prompt.c_str();
    nib::capi::write_result(out, v, "out");
  });
}
}
