#include "runtime/in_context.hpp"

#include <algorithm>
#include <cctype>

#include <nib/error.hpp>

namespace nib::detail {

namespace {

constexpr std::string_view kText = "{text}", kLabel = "{label}", kSep = "{sep}";

std::size_t count(std::string_view s, std::string_view what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string_view::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

// `format` with {text}, {label} and {sep} replaced (a single left-to-right pass, so replacement
// text is never scanned for placeholders).
std::string fill(std::string_view format, std::string_view text, std::string_view label,
                 std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < format.size();) {
    const std::string_view rest = format.substr(i);
    if (rest.starts_with(kText)) {
      out += text;
      i += kText.size();
    } else if (rest.starts_with(kLabel)) {
      out += label;
      i += kLabel.size();
    } else if (rest.starts_with(kSep)) {
      out += sep;
      i += kSep.size();
    } else {
      out += format[i++];
    }
  }
  return out;
}

}  // namespace

InContextPrompt build_in_context_prompt(std::span<const LabelledExample> examples, std::string_view text,
                                        const InContextOptions& o) {
  if (examples.empty()) throw Error(Status::InvalidArgument, "classify_in_context: no examples");
  const std::string_view format = o.line_format;
  if (count(format, kText) != 1 || count(format, kLabel) != 1 || format.find(kText) > format.find(kLabel)) {
    throw Error(Status::InvalidArgument, "classify_in_context: line_format \"" + o.line_format +
                                             "\" must hold {text} once followed by {label} once");
  }
  InContextPrompt p;
  p.prompt = o.instruction;
  for (std::size_t i = 0; i < examples.size(); ++i) {
    const auto& e = examples[i];
    if (e.label.empty()) {
      throw Error(Status::InvalidArgument,
                  "classify_in_context: example " + std::to_string(i) + " has an empty label");
    }
    if (std::find(p.labels.begin(), p.labels.end(), e.label) == p.labels.end()) p.labels.push_back(e.label);
    p.prompt += fill(format, e.text, e.label, o.separator);
  }
  const auto at = format.find(kLabel);
  p.prompt += fill(format.substr(0, at), text, {}, o.separator);
  std::string rest = fill(format.substr(at + kLabel.size()), {}, {}, o.separator);
  rest.erase(
      std::find_if(rest.rbegin(), rest.rend(), [](unsigned char c) { return !std::isspace(c); }).base(),
      rest.end());
  for (const auto& label : p.labels) p.continuations.push_back(label + rest);
  return p;
}

}  // namespace nib::detail
