#pragma once
// Scoring continuations after a prompt (Session::score / choose): the tokenisation rule, the
// shared-prefix evaluation on the KV cache, and the normalisation over choices.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nib/session.hpp>

namespace nib::detail {

class SessionImpl;

struct ScoringInput {
  std::vector<TokenId> prompt_ids;
  std::vector<std::vector<TokenId>> continuations;
};

// The ids Session::score evaluates (the rule is documented there).
ScoringInput tokenize_for_scoring(const Tokenizer& tokenizer, std::string_view prompt,
                                  std::span<const std::string> continuations);

// Feeds prompt_ids once (reusing the cached prefix), then evaluates each continuation from that
// prefix. The cache afterwards holds the prompt and the last continuation's leading ids.
std::vector<ContinuationScore> score_continuations(SessionImpl& session, std::span<const TokenId> prompt_ids,
                                                   std::vector<std::vector<TokenId>> continuations);

// Normalises the scores over the choices (softmax of the sum or mean log-probabilities).
std::vector<Choice> choices_from_scores(std::span<const std::string> choices,
                                        std::span<const ContinuationScore> scores,
                                        const ChooseOptions& options);

}  // namespace nib::detail
