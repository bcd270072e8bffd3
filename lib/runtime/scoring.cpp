#include "runtime/scoring.hpp"

#include <algorithm>
#include <cmath>

#include <nib/error.hpp>

#include "kernels/kernels.hpp"
#include "runtime/causal_runtime.hpp"
#include "runtime/generation.hpp"
#include "runtime/session_impl.hpp"

namespace nib::detail {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// log softmax(row)[id], accumulated in double.
double log_prob(std::span<const float> row, TokenId id) {
  const float top = *std::max_element(row.begin(), row.end());
  double sum = 0;
  for (float x : row) sum += std::exp(static_cast<double>(x) - top);
  return static_cast<double>(row[static_cast<std::size_t>(id)]) - top - std::log(sum);
}

}  // namespace

ScoringInput tokenize_for_scoring(const Tokenizer& tokenizer, std::string_view prompt,
                                  std::span<const std::string> continuations) {
  if (continuations.empty()) throw Error(Status::InvalidArgument, "score: no continuations");
  // Trailing whitespace belongs to the continuation: "A: " + "yes" is tokenised as "A:" + " yes",
  // as the words of the prompt's own text would be.
  std::size_t cut = prompt.size();
  while (cut > 0 && is_space(prompt[cut - 1])) --cut;
  const std::string_view context = prompt.substr(0, cut), moved = prompt.substr(cut);

  ScoringInput in;
  in.prompt_ids = tokenizer.encode(context, true).ids;
  if (in.prompt_ids.empty()) {
    throw Error(Status::InvalidArgument,
                "score: the prompt encodes to no tokens (the first continuation token needs a context)");
  }
  for (std::size_t i = 0; i < continuations.size(); ++i) {
    if (continuations[i].empty()) {
      throw Error(Status::InvalidArgument, "score: continuation " + std::to_string(i) + " is empty");
    }
    const std::string rest = std::string(moved) + continuations[i];
    auto whole = tokenizer.encode(std::string(context) + rest, true).ids;
    std::vector<TokenId> ids;
    if (whole.size() > in.prompt_ids.size() &&
        std::equal(in.prompt_ids.begin(), in.prompt_ids.end(), whole.begin())) {
      ids.assign(whole.begin() + static_cast<std::ptrdiff_t>(in.prompt_ids.size()), whole.end());
    } else {
      ids = tokenizer.encode(rest, false).ids;
    }
    if (ids.empty()) {
      throw Error(Status::InvalidArgument, "score: continuation " + std::to_string(i) + " (\"" +
                                               continuations[i] + "\") encodes to no tokens");
    }
    in.continuations.push_back(std::move(ids));
  }
  return in;
}

std::vector<ContinuationScore> score_continuations(SessionImpl& s, std::span<const TokenId> prompt_ids,
                                                   std::vector<std::vector<TokenId>> continuations) {
  CausalRuntime& rt = causal_runtime(s);
  const auto vocab = static_cast<std::size_t>(rt.vocab());
  const auto n_prompt = static_cast<std::int64_t>(prompt_ids.size());
  for (std::size_t i = 0; i < continuations.size(); ++i) {
    const auto& c = continuations[i];
    if (c.empty())
      throw Error(Status::InvalidArgument, "score: continuation " + std::to_string(i) + " has no tokens");
    const auto total = n_prompt + static_cast<std::int64_t>(c.size());
    if (total > rt.n_ctx()) {
      throw Error(Status::ContextFull, "score: the prompt and continuation " + std::to_string(i) + " have " +
                                           std::to_string(total) + " tokens, the session's context holds " +
                                           std::to_string(rt.n_ctx()));
    }
    for (TokenId id : c) {
      if (id < 0 || id >= rt.vocab()) {
        throw Error(Status::InvalidArgument, "score: token id " + std::to_string(id) +
                                                 " is outside the vocabulary of " +
                                                 std::to_string(rt.vocab()));
      }
    }
  }
  kernels::set_num_threads(s.options.threads);
  const auto cancelled = [&s] { return s.cancel_requested.exchange(false); };
  if (rt.feed(prompt_ids, s.adapters, cancelled) < 0) throw Error(Status::Cancelled, "cancelled");
  const std::vector<float> first = rt.logits;  // the distribution of every continuation's first token

  std::vector<ContinuationScore> out;
  out.reserve(continuations.size());
  std::vector<float> rows_out;
  std::vector<std::int64_t> rows;
  for (auto& c : continuations) {
    if (cancelled()) throw Error(Status::Cancelled, "cancelled");
    ContinuationScore r;
    r.ids = std::move(c);
    const std::size_t n = r.ids.size();
    // Row i of rows_out predicts ids[i + 1]: only the leading n - 1 ids need a forward pass.
    rt.truncate(n_prompt);
    rows.resize(n - 1);
    for (std::size_t i = 0; i + 1 < n; ++i) rows[i] = static_cast<std::int64_t>(i);
    rows_out.resize((n - 1) * vocab);
    if (n > 1) rt.append(std::span(r.ids).first(n - 1), rows, rows_out.data(), s.adapters, cancelled);
    r.token_logprobs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::span<const float> row =
          i == 0 ? std::span<const float>(first)
                 : std::span<const float>(rows_out).subspan((i - 1) * vocab, vocab);
      const double lp = log_prob(row, r.ids[i]);
      r.token_logprobs.push_back(static_cast<float>(lp));
      r.logprob += lp;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Choice> choices_from_scores(std::span<const std::string> choices,
                                        std::span<const ContinuationScore> scores,
                                        const ChooseOptions& options) {
  std::vector<Choice> out(choices.size());
  for (std::size_t i = 0; i < choices.size(); ++i) {
    out[i].text = choices[i];
    out[i].tokens = static_cast<std::int64_t>(scores[i].ids.size());
    out[i].logprob = scores[i].logprob;
    out[i].mean_logprob = scores[i].logprob / static_cast<double>(scores[i].ids.size());
  }
  const auto value = [&](const Choice& c) {
    return options.normalization == LengthNormalization::Mean ? c.mean_logprob : c.logprob;
  };
  double top = -INFINITY;
  for (const auto& c : out) top = std::max(top, value(c));
  double sum = 0;
  for (auto& c : out) sum += c.probability = std::exp(value(c) - top);
  for (auto& c : out) c.probability /= sum;
  return out;
}

}  // namespace nib::detail
