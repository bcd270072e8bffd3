#include "text/added_tokens.hpp"

#include <algorithm>

#include "text/unicode.hpp"

namespace nib::text {
namespace {

bool is_word_char(char32_t c) {
  return c == '_' || is_alphanumeric(c);
}

char32_t last_char(std::string_view s) {
  std::size_t i = s.size();
  while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80) --i;
  if (i > 0) --i;
  return next_char(s, i);
}

}  // namespace

void AddedVocabulary::add(const AddedToken& token, const Normalizer* normalizer, const std::string& where) {
  if (auto it = by_id_.find(token.id); it != by_id_.end()) {
    tokens_[it->second] = token;  // a later definition of the same id wins
  } else {
    by_id_[token.id] = tokens_.size();
    tokens_.push_back(token);
  }
  std::size_t index = by_id_[token.id];
  by_content_.set(token.content, token.id, where);
  std::string pattern = token.content;
  if (token.normalized && normalizer) normalizer->normalize(pattern);
  if (pattern.empty()) return;
  Set& set = sets_[token.normalized ? 1 : 0];
  set.patterns.emplace_back(pattern, index);
  auto& bucket = set.by_first_byte[static_cast<unsigned char>(pattern[0])];
  bucket.push_back(set.patterns.size() - 1);
  std::stable_sort(bucket.begin(), bucket.end(), [&](std::size_t a, std::size_t b) {
    return set.patterns[a].first.size() > set.patterns[b].first.size();
  });
}

void AddedVocabulary::split(std::string_view text, bool normalized_set, std::vector<TextPiece>& out) const {
  const Set& set = sets_[normalized_set ? 1 : 0];
  std::size_t start_offset = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto& bucket = set.by_first_byte[static_cast<unsigned char>(text[pos])];
    const std::pair<std::string, std::size_t>* hit = nullptr;
    for (std::size_t k : bucket) {
      const auto& p = set.patterns[k];
      if (text.compare(pos, p.first.size(), p.first) == 0) {
        hit = &p;
        break;
      }
    }
    if (!hit) {
      ++pos;
      continue;
    }
    std::size_t start = pos, stop = pos + hit->first.size();
    pos = stop;
    const AddedToken& tok = tokens_[hit->second];
    if (tok.single_word) {
      bool start_ok = start == 0 || !is_word_char(last_char(text.substr(0, start)));
      std::size_t j = stop;
      bool stop_ok = stop == text.size() || !is_word_char(next_char(text, j));
      if (!start_ok || !stop_ok) continue;
    }
    if (tok.lstrip) {
      std::size_t s = start;
      while (s > 0) {
        std::size_t b = s - 1;
        while (b > 0 && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80) --b;
        std::size_t k = b;
        if (!is_whitespace(next_char(text, k))) break;
        s = b;
      }
      start = std::max(s, start_offset);
    }
    if (tok.rstrip) {
      while (stop < text.size()) {
        std::size_t k = stop;
        if (!is_whitespace(next_char(text, k))) break;
        stop = k;
      }
      pos = stop;
    }
    if (start_offset < start) out.push_back({start_offset, start, std::nullopt});
    out.push_back({start, stop, tok.id});
    start_offset = stop;
  }
  if (start_offset < text.size()) out.push_back({start_offset, text.size(), std::nullopt});
}

}  // namespace nib::text
