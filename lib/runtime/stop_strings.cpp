#include "runtime/stop_strings.hpp"

#include <algorithm>

#include <nib/error.hpp>

namespace nib::detail {

StopMatcher::StopMatcher(std::span<const std::string> stops) : stops_(stops.begin(), stops.end()) {
  for (const auto& s : stops_) {
    if (s.empty()) throw Error(Status::InvalidArgument, "GenerateOptions.stop: empty stop string");
  }
}

std::string_view StopMatcher::emit(std::size_t end) {
  std::string_view out(text_.data() + emitted_, end - emitted_);
  emitted_ = end;
  return out;
}

std::string_view StopMatcher::push(std::string_view piece) {
  if (stopped_) return {};
  text_ += piece;
  // Everything before emitted_ was checked to hold no stop string nor the start of one.
  std::size_t hit = std::string::npos;
  for (const auto& s : stops_) hit = std::min(hit, text_.find(s, emitted_));
  if (hit != std::string::npos) {
    text_.resize(hit);
    stopped_ = true;
    return emit(hit);
  }
  // Hold back the longest tail that is a proper prefix of some stop string.
  std::size_t hold = 0;
  const std::size_t pending = text_.size() - emitted_;
  for (const auto& s : stops_) {
    for (std::size_t k = std::min(s.size() - 1, pending); k > hold; --k) {
      if (std::string_view(text_).substr(text_.size() - k) == std::string_view(s).substr(0, k)) {
        hold = k;
        break;
      }
    }
  }
  return emit(text_.size() - hold);
}

std::string_view StopMatcher::finish() {
  return emit(text_.size());
}

}  // namespace nib::detail
