// Generation and logits (causal LMs).
#include "chat_options.hpp"
#include "guard.hpp"
#include "handles.hpp"

using nib::capi::guard;
using nib::capi::invalid;
using nib::capi::need;

NIB_CAPI_NO_TAIL_PADDING(nib_generate_options, stream_user_data);

namespace {

nib_generate_options default_generate_options() {
  const nib::GenerateOptions d;
  nib_generate_options o{};
  o.struct_size = sizeof o;
  o.max_new_tokens = d.max_new_tokens;
  o.temperature = d.sampling.temperature;
  o.top_k = d.sampling.top_k;
  o.top_p = d.sampling.top_p;
  o.min_p = d.sampling.min_p;
  o.repetition_penalty = d.sampling.repetition_penalty;
  o.presence_penalty = d.sampling.presence_penalty;
  o.frequency_penalty = d.sampling.frequency_penalty;
  o.penalty_window = d.sampling.penalty_window;
  o.seed = d.sampling.seed;
  o.stop_at_eos = d.stop_at_eos;
  o.add_special_tokens = d.add_special_tokens;
  return o;
}

nib::GenerateOptions to_cpp(const nib_generate_options& o) {
  nib::GenerateOptions g;
  g.max_new_tokens = o.max_new_tokens;
  g.sampling.temperature = o.temperature;
  g.sampling.top_k = o.top_k;
  g.sampling.top_p = o.top_p;
  g.sampling.min_p = o.min_p;
  g.sampling.repetition_penalty = o.repetition_penalty;
  g.sampling.presence_penalty = o.presence_penalty;
  g.sampling.frequency_penalty = o.frequency_penalty;
  g.sampling.penalty_window = o.penalty_window;
  g.sampling.seed = o.seed;
  g.stop_at_eos = o.stop_at_eos != 0;
  g.add_special_tokens = o.add_special_tokens != 0;
  if (o.stop_count && !o.stop)
    invalid("options->stop is NULL but stop_count is " + std::to_string(o.stop_count));
  for (size_t i = 0; i < o.stop_count; ++i) {
    if (!o.stop[i]) invalid("options->stop[" + std::to_string(i) + "] is NULL");
    g.stop.emplace_back(o.stop[i]);
  }
  if (o.logit_bias_count && (!o.logit_bias_ids || !o.logit_bias_values))
    invalid("options->logit_bias_ids or logit_bias_values is NULL but logit_bias_count is " +
            std::to_string(o.logit_bias_count));
  for (size_t i = 0; i < o.logit_bias_count; ++i)
    g.sampling.logit_bias[o.logit_bias_ids[i]] = o.logit_bias_values[i];
  return g;
}

// Runs one generation (from text or ids) and points *out at the session-owned result.
template <class Run>
void generate(nib_session* session, const nib_generate_options* options, nib_generation* out, Run&& run) {
  nib::capi::need_result(out, "out");
  nib_session& s = *need(session, "session");
  const nib_generate_options o = nib::capi::read_options(options, default_generate_options(), "options");
  const nib::GenerateOptions g = to_cpp(o);
  nib::StreamFn stream;
  if (o.stream) {
    stream = [fn = o.stream, user = o.stream_user_data](std::string_view piece) {
      return fn(piece.data(), piece.size(), user) == 0;
    };
  }
  s.results = {};
  s.results.generation = run(s.session, g, stream);
  const nib::Generation& r = s.results.generation;
  nib_generation c{};
  c.text = r.text.c_str();
  c.text_len = r.text.size();
  c.prompt_ids = r.prompt_ids.data();
  c.prompt_count = r.prompt_ids.size();
  c.ids = r.ids.data();
  c.count = r.ids.size();
  c.stop_reason = static_cast<int32_t>(r.stop_reason);
  c.prompt_tokens = r.stats.prompt_tokens;
  c.reused_tokens = r.stats.reused_tokens;
  c.generated_tokens = r.stats.generated_tokens;
  c.prefill_ms = r.stats.prefill_ms;
  c.decode_ms = r.stats.decode_ms;
  nib::capi::write_result(out, c, "out");
}

}  // namespace

static_assert(NIB_STOP_CONTEXT_FULL == static_cast<int>(nib::StopReason::ContextFull));
static_assert(NIB_STOP_CANCELLED == static_cast<int>(nib::StopReason::Cancelled));

extern "C" {

nib_status nib_generate_options_init(nib_generate_options* options) {
  return guard(__func__, [&] { *need(options, "options") = default_generate_options(); });
}

nib_status nib_generate(nib_session* session, const char* prompt, const nib_generate_options* options,
                        nib_generation* out) {
  return guard(__func__, [&] {
    need(prompt, "prompt");
    generate(session, options, out,
             [&](nib::Session& s, const nib::GenerateOptions& g, const nib::StreamFn& f) {
               return s.generate(prompt, g, f);
             });
  });
}

nib_status nib_generate_ids(nib_session* session, const nib_token* ids, size_t count,
                            const nib_generate_options* options, nib_generation* out) {
  return guard(__func__, [&] {
    if (!ids && count) invalid("ids is NULL");
    generate(session, options, out,
             [&](nib::Session& s, const nib::GenerateOptions& g, const nib::StreamFn& f) {
               return s.generate_ids({ids, count}, g, f);
             });
  });
}

nib_status nib_session_chat(nib_session* session, const nib_message* messages, size_t count,
                            const nib_generate_options* options, const nib_chat_options* chat_options,
                            nib_generation* out) {
  return guard(__func__, [&] {
    if (!messages && count) invalid("messages is NULL");
    std::vector<nib::Message> list;
    list.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (!messages[i].role || !messages[i].content)
        invalid("messages[" + std::to_string(i) + "] has a NULL role or content");
      list.push_back({messages[i].role, messages[i].content});
    }
    nib::ChatOptions c;
    c.add_generation_prompt = true;  // no options: a reply is wanted
    if (chat_options) {
      const nib_chat_options o =
          nib::capi::read_options(chat_options, nib::capi::default_chat_options(), "chat_options");
      if (o.template_name)
        invalid("chat_options->template_name must be NULL (the model's default template is used)");
      c = nib::capi::chat_options_to_cpp(o);
    }
    generate(session, options, out,
             [&](nib::Session& s, const nib::GenerateOptions& g, const nib::StreamFn& f) {
               return s.chat(list, g, f, c);
             });
  });
}

nib_status nib_logits(nib_session* session, const nib_token* ids, size_t count, const int64_t* positions,
                      size_t position_count, const float** out, size_t* vocab) {
  return guard(__func__, [&] {
    need(out, "out");
    need(vocab, "vocab");
    nib_session& s = *need(session, "session");
    if (!ids && count) invalid("ids is NULL");
    if (!positions && position_count) invalid("positions is NULL");
    s.results = {};
    const auto rows = s.session.logits({ids, count}, {positions, position_count});
    const size_t cols = rows.empty() ? 0 : rows[0].size();
    auto& flat = s.results.floats;
    flat.reserve(rows.size() * cols);
    for (const auto& row : rows) flat.insert(flat.end(), row.begin(), row.end());
    *out = flat.data();
    *vocab = cols;
  });
}
}
