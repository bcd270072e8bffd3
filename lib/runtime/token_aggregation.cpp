#include "runtime/token_aggregation.hpp"

#include <algorithm>
#include <string_view>

namespace nib::detail {

namespace {

struct Entity {
  std::string label;
  float score = 0.f;
  std::int64_t start = 0, end = 0;
};

// The B-/I- prefix split off a label; a label without one counts as a continuation ("I").
std::pair<char, std::string_view> bio(std::string_view label) {
  if (label.starts_with("B-")) return {'B', label.substr(2)};
  if (label.starts_with("I-")) return {'I', label.substr(2)};
  return {'I', label};
}

std::size_t argmax(const float* p, std::size_t n) {
  return static_cast<std::size_t>(std::max_element(p, p + n) - p);
}

Entity word_entity(const TokenScores& s, std::int64_t begin, std::int64_t end, Aggregation aggregation) {
  const std::size_t n = s.labels->size();
  auto row = [&](std::int64_t t) { return s.probs + static_cast<std::size_t>(t) * n; };
  std::size_t best = 0;
  float score = 0.f;
  if (aggregation == Aggregation::First) {
    best = argmax(row(begin), n);
    score = row(begin)[best];
  } else if (aggregation == Aggregation::Max) {
    std::int64_t top = begin;
    for (std::int64_t t = begin; t < end; ++t) {
      if (*std::max_element(row(t), row(t) + n) > *std::max_element(row(top), row(top) + n)) top = t;
    }
    best = argmax(row(top), n);
    score = row(top)[best];
  } else {
    std::vector<float> mean(n, 0.f);
    for (std::int64_t t = begin; t < end; ++t)
      for (std::size_t l = 0; l < n; ++l) mean[l] += row(t)[l];
    for (auto& v : mean) v /= static_cast<float>(end - begin);
    best = argmax(mean.data(), n);
    score = mean[best];
  }
  return {(*s.labels)[best], score, begin, end};
}

}  // namespace

std::vector<bool> subword_flags(const std::vector<std::string>& tokens, const std::vector<bool>& special) {
  const bool start_markers = std::any_of(tokens.begin(), tokens.end(), [](const std::string& t) {
    return t.starts_with("\xC4\xA0") || t.starts_with("\xE2\x96\x81");  // "Ġ", "▁"
  });
  std::vector<bool> out(tokens.size(), false);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (special[i]) continue;
    if (start_markers) {
      const bool marked = tokens[i].starts_with("\xC4\xA0") || tokens[i].starts_with("\xE2\x96\x81");
      out[i] = !marked && i > 0 && !special[i - 1];
    } else {
      out[i] = tokens[i].starts_with("##");
    }
  }
  return out;
}

std::vector<TokenTag> aggregate_tokens(const TokenScores& s, Aggregation aggregation,
                                       const std::function<std::string(std::int64_t, std::int64_t)>& decode) {
  const std::size_t n_labels = s.labels->size();
  const auto n = static_cast<std::int64_t>(s.tokens.size());
  std::vector<TokenTag> out;
  if (aggregation == Aggregation::None) {
    for (std::int64_t t = 0; t < n; ++t) {
      if (s.special[static_cast<std::size_t>(t)]) continue;
      const float* p = s.probs + static_cast<std::size_t>(t) * n_labels;
      const std::size_t best = argmax(p, n_labels);
      if ((*s.labels)[best] == "O") continue;
      out.push_back({(*s.labels)[best], p[best], s.tokens[static_cast<std::size_t>(t)], t, t + 1});
    }
    return out;
  }

  std::vector<Entity> words;
  for (std::int64_t t = 0; t < n;) {
    if (s.special[static_cast<std::size_t>(t)]) {
      ++t;
      continue;
    }
    std::int64_t end = t + 1;
    while (end < n && !s.special[static_cast<std::size_t>(end)] && s.subword[static_cast<std::size_t>(end)])
      ++end;
    words.push_back(word_entity(s, t, end, aggregation));
    t = end;
  }

  // Adjacent words of one entity form a group unless the next one begins a new entity (B-).
  for (std::size_t i = 0; i < words.size();) {
    const auto tag = bio(words[i].label).second;
    std::size_t j = i + 1;
    while (j < words.size()) {
      const auto [b, next] = bio(words[j].label);
      if (next != tag || b == 'B') break;
      ++j;
    }
    float sum = 0.f;
    for (std::size_t w = i; w < j; ++w) sum += words[w].score;
    if (tag != "O") {
      out.push_back({std::string(tag), sum / static_cast<float>(j - i),
                     decode(words[i].start, words[j - 1].end), words[i].start, words[j - 1].end});
    }
    i = j;
  }
  return out;
}

}  // namespace nib::detail
