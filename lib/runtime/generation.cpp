#include "runtime/generation.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <nib/error.hpp>

#include "kernels/kernels.hpp"
#include "runtime/causal_runtime.hpp"
#include "runtime/elapsed.hpp"
#include "runtime/sampler.hpp"
#include "runtime/session_impl.hpp"
#include "runtime/stop_strings.hpp"

namespace nib::detail {

namespace {

using Clock = std::chrono::steady_clock;

// The newest `keep` ids of seq.
std::span<const TokenId> newest(const std::vector<TokenId>& seq, std::int64_t keep) {
  return std::span(seq).last(std::min(seq.size(), static_cast<std::size_t>(keep)));
}

}  // namespace

CausalRuntime& causal_runtime(SessionImpl& s) {
  if (!s.causal) s.causal = std::make_unique<CausalRuntime>(s.model_impl(), s.options);
  return *s.causal;
}

Generation generate(SessionImpl& s, std::span<const TokenId> prompt_ids, const GenerateOptions& o,
                    const StreamFn& stream, const Tokenizer* tokenizer) {
  if (o.max_new_tokens < 0)
    throw Error(Status::InvalidArgument, "GenerateOptions.max_new_tokens must be >= 0");
  if (!tokenizer && (stream || !o.stop.empty())) {
    throw Error(Status::InvalidArgument, s.model_impl().info().path.string() +
                                             " has no tokenizer: streaming and stop strings need one");
  }
  CausalRuntime& rt = causal_runtime(s);
  Sampler sampler(o.sampling, rt.vocab());  // validates the options before any work
  StopMatcher stops(o.stop);
  kernels::set_num_threads(s.options.threads);
  const auto cancelled = [&s] { return s.cancel_requested.exchange(false); };
  const bool drop_oldest = s.options.drop_oldest_on_overflow;
  const std::int64_t n_ctx = rt.n_ctx();

  Generation g;
  g.prompt_ids.assign(prompt_ids.begin(), prompt_ids.end());
  g.ids.reserve(static_cast<std::size_t>(o.max_new_tokens));
  g.stats.prompt_tokens = static_cast<std::int64_t>(prompt_ids.size());
  std::vector<TokenId> seq(prompt_ids.begin(), prompt_ids.end());  // prompt then generated ids
  seq.reserve(seq.size() + static_cast<std::size_t>(o.max_new_tokens));

  auto t0 = Clock::now();
  std::span<const TokenId> context = seq;
  if (static_cast<std::int64_t>(seq.size()) > n_ctx && drop_oldest) {
    // Keep the prompt's newest tokens, leaving room for up to half the context of new ones.
    context = newest(seq, n_ctx - std::min<std::int64_t>(o.max_new_tokens, n_ctx / 2));
  }
  const std::int64_t reused = rt.feed(context, s.adapters, cancelled);
  g.stats.prefill_ms = ms_since(t0);
  if (reused < 0) {
    g.stop_reason = StopReason::Cancelled;
    return g;
  }
  g.stats.reused_tokens = reused;

  t0 = Clock::now();
  std::optional<Tokenizer::StreamDecoder> decoder;
  if (tokenizer) decoder.emplace(*tokenizer, /*skip_special_tokens=*/true);
  const auto& eos = rt.lm->config().eos_token_ids;
  bool callback_stopped = false;
  auto emit = [&](std::string_view piece) {
    if (!piece.empty() && stream && !callback_stopped && !stream(piece)) callback_stopped = true;
  };
  g.stop_reason = StopReason::MaxTokens;
  for (int i = 0; i < o.max_new_tokens; ++i) {
    if (cancelled()) {
      g.stop_reason = StopReason::Cancelled;
      break;
    }
    const TokenId t = sampler.sample(rt.logits, seq);
    g.ids.push_back(t);
    seq.push_back(t);
    if (o.stop_at_eos && std::find(eos.begin(), eos.end(), t) != eos.end()) {
      g.stop_reason = StopReason::Eos;
      break;
    }
    if (decoder) {
      emit(stops.push(decoder->push(t)));
      if (stops.stopped()) {
        g.stop_reason = StopReason::StopString;
        break;
      }
      if (callback_stopped) {
        g.stop_reason = StopReason::Callback;
        break;
      }
    }
    if (i + 1 == o.max_new_tokens) break;  // the last token needs no forward pass
    if (rt.state->length() < n_ctx) {
      rt.step(t, s.adapters);
    } else if (drop_oldest) {
      // Rebuild the cache from the newest half of the sequence (positions restart at 0).
      rt.clear();
      rt.feed(newest(seq, std::max<std::int64_t>(1, n_ctx / 2)), s.adapters, {});
    } else {
      g.stop_reason = StopReason::ContextFull;
      break;
    }
  }
  if (decoder && !stops.stopped()) {
    emit(stops.push(decoder->flush()));
    if (stops.stopped() && g.stop_reason == StopReason::MaxTokens) g.stop_reason = StopReason::StopString;
    emit(stops.finish());
  }
  g.text = stops.text();
  g.stats.generated_tokens = static_cast<std::int64_t>(g.ids.size());
  g.stats.decode_ms = ms_since(t0);
  return g;
}

std::vector<std::vector<float>> score(SessionImpl& s, std::span<const TokenId> ids,
                                      std::span<const std::int64_t> positions) {
  if (ids.empty()) throw Error(Status::InvalidArgument, "logits: no token ids");
  for (auto p : positions) {
    if (p < 0 || p >= static_cast<std::int64_t>(ids.size())) {
      throw Error(Status::InvalidArgument, "logits: position " + std::to_string(p) + " is outside the " +
                                               std::to_string(ids.size()) + " ids");
    }
  }
  CausalRuntime& rt = causal_runtime(s);
  kernels::set_num_threads(s.options.threads);
  std::vector<std::int64_t> rows(positions.begin(), positions.end());
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  const auto vocab = static_cast<std::size_t>(rt.vocab());
  std::vector<float> out(rows.size() * vocab);
  rt.score(ids, rows, out.data(), s.adapters, [&s] { return s.cancel_requested.exchange(false); });
  std::vector<std::vector<float>> result;
  result.reserve(positions.size());
  for (auto p : positions) {
    const auto r = static_cast<std::size_t>(std::lower_bound(rows.begin(), rows.end(), p) - rows.begin());
    result.emplace_back(out.begin() + static_cast<std::ptrdiff_t>(r * vocab),
                        out.begin() + static_cast<std::ptrdiff_t>((r + 1) * vocab));
  }
  return result;
}

}  // namespace nib::detail
