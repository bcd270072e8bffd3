#pragma once
// A compiled PCRE2 pattern (UTF + Unicode properties, JIT when available). Immutable and safe to
// share across threads: match data is allocated per call.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nib::text {

using Span = std::pair<std::size_t, std::size_t>;  // [begin, end) byte offsets

class Regex {
 public:
  // `where` names the pattern's origin for the error message when it does not compile.
  Regex(const std::string& pattern, const std::string& where);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Every non-overlapping match, left to right (empty matches included, as Rust's find_iter).
  void find_all(std::string_view text, std::vector<Span>& out) const;
  static std::string escape(std::string_view literal);

 private:
  void* code_;
};

}  // namespace nib::text
