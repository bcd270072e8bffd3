#pragma once
// The {"String": ...} / {"Regex": ...} pattern of Split, Replace (normalizer and decoder).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/json.hpp"
#include "text/regex.hpp"

namespace nib::text {

class Pattern {
 public:
  Pattern(const io::Json& j, const std::string& where);
  void find_all(std::string_view text, std::vector<Span>& out) const;
  // Every match replaced by `content`.
  std::string replace_all(std::string_view text, std::string_view content) const;

 private:
  std::string literal_;
  std::unique_ptr<Regex> regex_;
};

}  // namespace nib::text
