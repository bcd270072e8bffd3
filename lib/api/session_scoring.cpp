// Scoring with a causal LM: continuation log-probabilities, constrained choice, few-shot
// classification.
#include <nib/error.hpp>
#include <nib/session.hpp>

#include <algorithm>

#include "runtime/in_context.hpp"
#include "runtime/scoring.hpp"
#include "runtime/session_impl.hpp"

namespace nib {

std::vector<ContinuationScore> Session::score(std::string_view prompt,
                                              std::span<const std::string> continuations) {
  auto in = detail::tokenize_for_scoring(impl_->model.tokenizer(), prompt, continuations);
  return detail::score_continuations(*impl_, in.prompt_ids, std::move(in.continuations));
}

std::vector<Choice> Session::choose(std::string_view prompt, std::span<const std::string> choices,
                                    const ChooseOptions& options) {
  return detail::choices_from_scores(choices, score(prompt, choices), options);
}

InContextClassification Session::classify_in_context(std::span<const LabelledExample> examples,
                                                     std::string_view text, const InContextOptions& options) {
  auto built = detail::build_in_context_prompt(examples, text, options);
  InContextClassification r;
  r.choices = choose(built.prompt, built.continuations, options.choose);
  const auto best =
      std::max_element(r.choices.begin(), r.choices.end(),
                       [](const Choice& a, const Choice& b) { return a.probability < b.probability; });
  r.label = built.labels[static_cast<std::size_t>(best - r.choices.begin())];
  r.labels = std::move(built.labels);
  r.prompt = std::move(built.prompt);
  return r;
}

}  // namespace nib
