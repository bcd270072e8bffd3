#pragma once
// Builders for tokenizer stage tests: construct a stage from a JSON literal and run it.
#include <string>
#include <vector>

#include "io/json.hpp"
#include "text/components.hpp"

namespace nib::test {

inline std::string normalize(const std::string& json, std::string text) {
  auto n = text::make_normalizer(io::parse_json(json, "test"), "test");
  n->normalize(text);
  return text;
}

inline std::vector<std::string> pre_tokenize(const std::string& json, const std::string& text,
                                             bool first = true) {
  auto p = text::make_pre_tokenizer(io::parse_json(json, "test"), "test");
  std::vector<text::PreSplit> splits{{text, first}};
  p->pre_tokenize(splits);
  std::vector<std::string> out;
  for (auto& s : splits) out.push_back(s.text);
  return out;
}

inline std::vector<std::string> decode_chain(const std::string& json, std::vector<std::string> tokens,
                                             bool raw = false) {
  auto d = text::make_decoder(io::parse_json(json, "test"), "test");
  d->decode_chain(tokens, raw);
  return tokens;
}

using Strings = std::vector<std::string>;

}  // namespace nib::test
