#pragma once
// Stop strings over streamed text. A stop string may span several tokens, so text that could be
// the start of one is held back until it either completes the stop string (and is dropped) or
// can no longer match (and is released).
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nib::detail {

class StopMatcher {
 public:
  // Throws InvalidArgument for an empty stop string.
  explicit StopMatcher(std::span<const std::string> stops);

  // Appends generated text; returns what may be shown now (valid until the next call). Once a stop
  // string completes, stopped() is true and the text from it on is gone.
  std::string_view push(std::string_view piece);
  // Generation ended for another reason: releases the held-back text.
  std::string_view finish();
  bool stopped() const { return stopped_; }
  const std::string& text() const { return text_; }  // everything accepted so far

 private:
  std::string_view emit(std::size_t end);
  std::vector<std::string> stops_;
  std::string text_;
  std::size_t emitted_ = 0;
  bool stopped_ = false;
};

}  // namespace nib::detail
