#include "runtime/sampler.hpp"

#include <algorithm>
#include <cmath>

#include <nib/error.hpp>

namespace nib::detail {

namespace {
[[noreturn]] void bad(const std::string& what) {
  throw Error(Status::InvalidArgument, "SamplingOptions." + what);
}
}  // namespace

void validate(const SamplingOptions& o, std::int64_t vocab) {
  if (!(o.temperature >= 0.f) || !std::isfinite(o.temperature))
    bad("temperature must be a finite value >= 0");
  if (o.top_k < 0) bad("top_k must be >= 0 (0: off)");
  if (!(o.top_p > 0.f && o.top_p <= 1.f)) bad("top_p must be in (0, 1]");
  if (!(o.min_p >= 0.f && o.min_p <= 1.f)) bad("min_p must be in [0, 1]");
  if (!(o.repetition_penalty > 0.f) || !std::isfinite(o.repetition_penalty))
    bad("repetition_penalty must be a finite value > 0");
  if (!std::isfinite(o.presence_penalty)) bad("presence_penalty must be finite");
  if (!std::isfinite(o.frequency_penalty)) bad("frequency_penalty must be finite");
  if (o.penalty_window < 0) bad("penalty_window must be >= 0 (0: all tokens)");
  for (const auto& [id, bias] : o.logit_bias) {
    if (id < 0 || id >= vocab) {
      bad("logit_bias: token id " + std::to_string(id) + " is outside the vocabulary of " +
          std::to_string(vocab));
    }
    if (std::isnan(bias)) bad("logit_bias: the bias of token " + std::to_string(id) + " is NaN");
  }
}

TokenId argmax(std::span<const float> logits) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < logits.size(); ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  return static_cast<TokenId>(best);
}

Sampler::Sampler(const SamplingOptions& o, std::int64_t vocab) : o_(o), vocab_(vocab), rng_(o.seed) {
  validate(o, vocab);
  counts_.assign(static_cast<std::size_t>(vocab), 0);
  ids_.resize(static_cast<std::size_t>(vocab));
  probs_.resize(static_cast<std::size_t>(vocab));
}

double Sampler::uniform() {
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

void Sampler::apply_penalties(std::span<float> logits, std::span<const TokenId> history) {
  for (const auto& [id, bias] : o_.logit_bias) logits[static_cast<std::size_t>(id)] += bias;
  const bool any = o_.repetition_penalty != 1.f || o_.presence_penalty != 0.f || o_.frequency_penalty != 0.f;
  if (!any) return;
  if (o_.penalty_window > 0 && history.size() > static_cast<std::size_t>(o_.penalty_window)) {
    history = history.last(static_cast<std::size_t>(o_.penalty_window));
  }
  for (TokenId id : history) {
    if (id >= 0 && id < vocab_) ++counts_[static_cast<std::size_t>(id)];
  }
  for (TokenId id : history) {
    if (id < 0 || id >= vocab_) continue;
    auto& c = counts_[static_cast<std::size_t>(id)];
    if (c == 0) continue;  // already applied for this id
    float& l = logits[static_cast<std::size_t>(id)];
    // HF RepetitionPenaltyLogitsProcessor: positive logits shrink, negative ones grow.
    l = l > 0.f ? l / o_.repetition_penalty : l * o_.repetition_penalty;
    l -= o_.presence_penalty + o_.frequency_penalty * static_cast<float>(c);
    c = 0;
  }
}

std::size_t Sampler::filter(std::span<const float> logits) {
  const float inv_t = 1.f / o_.temperature;
  std::size_t n = 0;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    if (logits[i] != -INFINITY) ids_[n++] = static_cast<TokenId>(i);
  }
  if (n == 0) throw Error(Status::InvalidArgument, "sampling: every token has a logit of -inf");
  // Rank order: higher logit first, lower id first on ties, so results never depend on sort details.
  auto better = [&](TokenId a, TokenId b) {
    const float la = logits[static_cast<std::size_t>(a)], lb = logits[static_cast<std::size_t>(b)];
    return la > lb || (la == lb && a < b);
  };
  auto first = ids_.begin();
  if (o_.top_k > 0 && static_cast<std::size_t>(o_.top_k) < n) {
    std::nth_element(first, first + o_.top_k, first + static_cast<std::ptrdiff_t>(n), better);
    n = static_cast<std::size_t>(o_.top_k);
  }
  // Only top-p needs the full ranking; the other stages need just the best logit.
  if (o_.top_p < 1.f) std::sort(first, first + static_cast<std::ptrdiff_t>(n), better);
  float top = -INFINITY;
  for (std::size_t i = 0; i < n; ++i) top = std::max(top, logits[static_cast<std::size_t>(ids_[i])]);
  // Softmax of logit / T over the candidates.
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    probs_[i] = std::exp((logits[static_cast<std::size_t>(ids_[i])] - top) * inv_t);
    sum += probs_[i];
  }
  for (std::size_t i = 0; i < n; ++i) probs_[i] = static_cast<float>(probs_[i] / sum);
  if (o_.top_p < 1.f) {  // the smallest best-first prefix whose mass reaches top_p (at least one token)
    double mass = 0;
    std::size_t keep = 0;
    while (keep < n && mass < o_.top_p) mass += probs_[keep++];
    n = keep;
  }
  if (o_.min_p > 0.f) {  // drop tokens less likely than min_p × the most likely one
    float best = 0.f;
    for (std::size_t i = 0; i < n; ++i) best = std::max(best, probs_[i]);
    const float floor = o_.min_p * best;
    std::size_t keep = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (probs_[i] >= floor) {
        ids_[keep] = ids_[i];
        probs_[keep++] = probs_[i];
      }
    }
    n = keep;
  }
  sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += probs_[i];
  for (std::size_t i = 0; i < n; ++i) probs_[i] = static_cast<float>(probs_[i] / sum);
  return n;
}

TokenId Sampler::sample(std::span<float> logits, std::span<const TokenId> history) {
  apply_penalties(logits, history);
  if (o_.temperature == 0.f) return argmax(logits);
  const std::size_t n = filter(logits);
  const double u = uniform();
  double acc = 0;
  for (std::size_t i = 0; i < n; ++i) {
    acc += probs_[i];
    if (u < acc) return ids_[i];
  }
  return ids_[n - 1];  // rounding left u above the last partial sum
}

}  // namespace nib::detail
