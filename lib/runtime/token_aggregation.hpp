#pragma once
// Word-level aggregation of per-token labels, as transformers' token-classification pipeline does
// it: none (every token), or words built from a first token and its subword continuations, labelled
// from the first token / the average probabilities / the most confident token, then adjacent words
// of one entity (B-X, I-X, X) grouped. Tokens and groups labelled "O" are left out.
#include <nib/session.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nib::detail {

struct TokenScores {
  const std::vector<std::string>* labels = nullptr;
  const float* probs = nullptr;     // [tokens, labels]
  std::vector<std::string> tokens;  // vocabulary strings
  std::vector<bool> special;        // skipped entirely
  std::vector<bool> subword;        // continues the previous token's word
};

// `decode(begin, end)` gives the text of tokens [begin, end) for aggregated words and groups.
std::vector<TokenTag> aggregate_tokens(const TokenScores& scores, Aggregation aggregation,
                                       const std::function<std::string(std::int64_t, std::int64_t)>& decode);

// Which tokens continue a word, from their spelling: WordPiece marks continuations ("##ing");
// byte-level BPE and SentencePiece mark word starts ("Ġworld", "▁world"), so there an unmarked
// token after a non-special token continues the word.
std::vector<bool> subword_flags(const std::vector<std::string>& tokens, const std::vector<bool>& special);

}  // namespace nib::detail
