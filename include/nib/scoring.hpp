#pragma once
// Results and options of scoring continuations with a causal LM: Session::score, Session::choose
// and Session::classify_in_context (the constrained-label classifier and its few-shot prompt).
#include <nib/tokenizer.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace nib {

// One continuation scored after a prompt.
struct ContinuationScore {
  std::vector<TokenId> ids;           // the continuation's tokens (see Session::score)
  std::vector<float> token_logprobs;  // log p(ids[i] | prompt, ids[0..i))
  double logprob = 0;                 // their sum: log p(continuation | prompt)
};

// How choose() turns a choice's token log-probabilities into the score it normalises.
enum class LengthNormalization {
  Sum,  // the summed log-probability (the continuation's probability)
  Mean  // the mean per-token log-probability (does not penalise longer choices)
};

struct ChooseOptions {
  LengthNormalization normalization = LengthNormalization::Sum;
};

struct Choice {
  std::string text;         // the choice as given
  std::int64_t tokens = 0;  // its token count
  double logprob = 0;       // summed log-probability given the prompt
  double mean_logprob = 0;  // logprob / tokens
  double probability = 0;   // softmax over the choices of the selected score (sums to 1)
};

struct LabelledExample {
  std::string text;
  std::string label;
};

// The few-shot prompt: `instruction`, then one line per example, then the query's line up to its
// label. `line_format` holds {text} once, then {label} once, and any number of {sep} (replaced by
// `separator`); other text is copied as is. The default gives "今天天氣真好 | 正面 |\n".
struct InContextOptions {
  std::string instruction;
  std::string separator = "|";
  std::string line_format = "{text} {sep} {label} {sep}\n";
  ChooseOptions choose;
};

struct InContextClassification {
  std::string label;                // the most probable label
  std::vector<std::string> labels;  // the distinct labels of the examples, in order of appearance
  // Per label, choose() over the continuations "<label><line rest>" (the format's text after
  // {label}, without its trailing whitespace: " |" by default), so a label that is a prefix of
  // another (正 / 正面) is not favoured. choices[i].text is that continuation.
  std::vector<Choice> choices;
  std::string prompt;  // the prompt the choices were scored after
};

}  // namespace nib
