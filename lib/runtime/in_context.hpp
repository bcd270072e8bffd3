#pragma once
// The few-shot prompt of Session::classify_in_context, built from labelled examples and an
// InContextOptions line format.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nib/scoring.hpp>

namespace nib::detail {

struct InContextPrompt {
  std::string prompt;                      // instruction, example lines, the query's line up to its label
  std::vector<std::string> labels;         // distinct, in order of appearance
  std::vector<std::string> continuations;  // per label: label + the line's rest (trailing whitespace cut)
};

// InvalidArgument for no examples, an empty label or a format without {text} before {label}.
InContextPrompt build_in_context_prompt(std::span<const LabelledExample> examples, std::string_view text,
                                        const InContextOptions& options);

}  // namespace nib::detail
