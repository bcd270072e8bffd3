// Pre-tokenizers of tokenizer.json: split each text segment into words for the model.
#include <utility>

#include "text/components.hpp"
#include "text/pattern.hpp"
#include "text/unicode.hpp"

namespace nib::text {
namespace {

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// Pieces covering the whole text, each flagged as a match of the pattern or not.
using Matches = std::vector<std::pair<Span, bool>>;

Matches from_spans(std::string_view text, const std::vector<Span>& spans, bool invert) {
  Matches m;
  std::size_t prev = 0;
  for (auto s : spans) {
    if (prev != s.first) m.push_back({{prev, s.first}, invert});
    m.push_back({s, !invert});
    prev = s.second;
  }
  if (prev != text.size()) m.push_back({{prev, text.size()}, invert});
  return m;
}

template <class Pred>
Matches from_chars(std::string_view text, Pred&& pred) {
  Matches m;
  std::size_t last = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t at = i;
    if (pred(next_char(text, i))) {
      if (last < at) m.push_back({{last, at}, false});
      m.push_back({{at, i}, true});
      last = i;
    }
  }
  if (last < text.size()) m.push_back({{last, text.size()}, false});
  return m;
}

// Hugging Face's NormalizedString::split followed by dropping empty pieces.
void split_into(const PreSplit& in, const Matches& matches, Behavior behavior, std::vector<PreSplit>& out) {
  std::vector<std::pair<Span, bool>> pieces;  // (span, remove)
  bool prev_match = false;
  switch (behavior) {
    case Behavior::Removed: pieces = matches; break;
    case Behavior::Isolated:
      for (auto& [s, m] : matches) pieces.push_back({s, false});
      break;
    case Behavior::Contiguous:
      for (auto& [s, m] : matches) {
        if (m == prev_match && !pieces.empty()) {
          pieces.back().first.second = s.second;
        } else {
          pieces.push_back({s, false});
        }
        prev_match = m;
      }
      break;
    case Behavior::MergedWithPrevious:
      for (auto& [s, m] : matches) {
        if (m && !prev_match && !pieces.empty()) {
          pieces.back().first.second = s.second;
        } else {
          pieces.push_back({s, false});
        }
        prev_match = m;
      }
      break;
    case Behavior::MergedWithNext:
      for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        if (it->second && !prev_match && !pieces.empty()) {
          pieces.back().first.first = it->first.first;
        } else {
          pieces.push_back({it->first, false});
        }
        prev_match = it->second;
      }
      std::reverse(pieces.begin(), pieces.end());
      break;
  }
  for (auto& [s, remove] : pieces) {
    if (remove || s.first == s.second) continue;
    out.push_back({in.text.substr(s.first, s.second - s.first), in.first && s.first == 0});
  }
}

// Runs `f(split, out)` over every split.
template <class F>
void each_split(std::vector<PreSplit>& splits, F&& f) {
  std::vector<PreSplit> out;
  out.reserve(splits.size() * 2);
  for (const auto& s : splits) f(s, out);
  splits = std::move(out);
}

Behavior parse_behavior(const Json& j, const std::string& where, Behavior fallback) {
  std::string b = string_member(j, "behavior", where, "");
  if (b.empty()) return fallback;
  if (b == "Removed") return Behavior::Removed;
  if (b == "Isolated") return Behavior::Isolated;
  if (b == "MergedWithPrevious") return Behavior::MergedWithPrevious;
  if (b == "MergedWithNext") return Behavior::MergedWithNext;
  if (b == "Contiguous") return Behavior::Contiguous;
  format_error(where + ".behavior", "unknown split behavior \"" + b + "\"");
}

class ByteLevel final : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space) {
    if (use_regex) {
      regex_ = std::make_unique<Regex>(
          R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)", "ByteLevel");
    }
  }
  void pre_tokenize(std::vector<PreSplit>& splits) const override {
    std::vector<Span> spans;
    each_split(splits, [&](const PreSplit& s, std::vector<PreSplit>& out) {
      PreSplit in = s;
      if (add_prefix_space_ && (in.text.empty() || in.text[0] != ' ')) in.text.insert(0, " ");
      std::size_t from = out.size();
      if (regex_) {
        spans.clear();
        regex_->find_all(in.text, spans);
        split_into(in, from_spans(in.text, spans, false), Behavior::Isolated, out);
      } else if (!in.text.empty()) {
        out.push_back(std::move(in));
      }
      for (std::size_t k = from; k < out.size(); ++k) {
        std::string mapped;
        mapped.reserve(out[k].text.size() * 2);
        for (char c : out[k].text) mapped += byte_to_unicode(static_cast<unsigned char>(c));
        out[k].text = std::move(mapped);
      }
    });
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> regex_;
};

class Split final : public PreTokenizer {
 public:
  Split(const Json& j, const std::string& where)
      : pattern_(member(j, "pattern", where), where + ".pattern"),
        behavior_(parse_behavior(j, where, Behavior::Removed)),
        invert_(bool_member(j, "invert", where, false)) {}
  void pre_tokenize(std::vector<PreSplit>& splits) const override {
    std::vector<Span> spans;
    each_split(splits, [&](const PreSplit& s, std::vector<PreSplit>& out) {
      spans.clear();
      pattern_.find_all(s.text, spans);
      split_into(s, from_spans(s.text, spans, invert_), behavior_, out);
    });
  }

 private:
  Pattern pattern_;
  Behavior behavior_;
  bool invert_;
};

class Whitespace final : public PreTokenizer {
 public:
  Whitespace() : regex_(R"([\p{L}\p{N}\p{M}\p{Pc}]+|[^\p{L}\p{N}\p{M}\p{Pc}\s]+)", "Whitespace") {}
  void pre_tokenize(std::vector<PreSplit>& splits) const override {
    std::vector<Span> spans;
    each_split(splits, [&](const PreSplit& s, std::vector<PreSplit>& out) {
      spans.clear();
      regex_.find_all(s.text, spans);
      split_into(s, from_spans(s.text, spans, true), Behavior::Removed, out);
    });
  }

 private:
  Regex regex_;
};

// Splits on a character predicate with a fixed behavior (WhitespaceSplit, Punctuation, Digits...).
template <class Pred>
class CharSplit final : public PreTokenizer {
 public:
  CharSplit(Pred pred, Behavior behavior) : pred_(std::move(pred)), behavior_(behavior) {}
  void pre_tokenize(std::vector<PreSplit>& splits) const override {
    each_split(splits, [&](const PreSplit& s, std::vector<PreSplit>& out) {
      split_into(s, from_chars(s.text, pred_), behavior_, out);
    });
  }

 private:
  Pred pred_;
  Behavior behavior_;
};

template <class Pred>
std::unique_ptr<PreTokenizer> char_split(Pred pred, Behavior behavior) {
  return std::make_unique<CharSplit<Pred>>(std::move(pred), behavior);
}

class Metaspace final : public PreTokenizer {
 public:
  enum class Prepend { Always, First, Never };
  Metaspace(std::string replacement, Prepend prepend, bool split)
      : replacement_(std::move(replacement)), prepend_(prepend), split_(split) {}
  void pre_tokenize(std::vector<PreSplit>& splits) const override {
    each_split(splits, [&](const PreSplit& s, std::vector<PreSplit>& out) {
      PreSplit in{std::string(), s.first};
      in.text.reserve(s.text.size() + 8);
      for (char c : s.text) {
        if (c == ' ') {
          in.text += replacement_;
        } else {
          in.text += c;
        }
      }
      bool starts = in.text.compare(0, replacement_.size(), replacement_) == 0;
      if (!starts && (prepend_ == Prepend::Always || (prepend_ == Prepend::First && s.first))) {
        in.text.insert(0, replacement_);
      }
      if (!split_) {
        if (!in.text.empty()) out.push_back(std::move(in));
        return;
      }
      std::vector<Span> spans;
      for (std::size_t p = in.text.find(replacement_); p != std::string::npos && !replacement_.empty();
           p = in.text.find(replacement_, p + replacement_.size())) {
        spans.emplace_back(p, p + replacement_.size());
      }
      split_into(in, from_spans(in.text, spans, false), Behavior::MergedWithNext, out);
    });
  }

 private:
  std::string replacement_;
  Prepend prepend_;
  bool split_;
};

class PreTokenizerSequence final : public PreTokenizer {
 public:
  explicit PreTokenizerSequence(std::vector<std::unique_ptr<PreTokenizer>> items)
      : items_(std::move(items)) {}
  void pre_tokenize(std::vector<PreSplit>& splits) const override {
    for (const auto& p : items_) p->pre_tokenize(splits);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> items_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& j, const std::string& where) {
  std::string type = type_of(j, where);
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevel>(bool_member(j, "add_prefix_space", where, true),
                                       bool_member(j, "use_regex", where, true));
  }
  if (type == "Split") return std::make_unique<Split>(j, where);
  if (type == "Whitespace") return std::make_unique<Whitespace>();
  if (type == "WhitespaceSplit")
    return char_split([](char32_t c) { return is_whitespace(c); }, Behavior::Removed);
  if (type == "BertPreTokenizer") {
    std::vector<std::unique_ptr<PreTokenizer>> items;
    items.push_back(char_split([](char32_t c) { return is_whitespace(c); }, Behavior::Removed));
    items.push_back(char_split([](char32_t c) { return is_punctuation(c); }, Behavior::Isolated));
    return std::make_unique<PreTokenizerSequence>(std::move(items));
  }
  if (type == "Punctuation") {
    return char_split([](char32_t c) { return is_punctuation(c); },
                      parse_behavior(j, where, Behavior::Isolated));
  }
  if (type == "Digits") {
    bool individual = bool_member(j, "individual_digits", where, false);
    return char_split([](char32_t c) { return is_numeric(c); },
                      individual ? Behavior::Isolated : Behavior::Contiguous);
  }
  if (type == "CharDelimiterSplit") {
    std::string d = string_member(j, "delimiter", where);
    std::size_t i = 0;
    if (d.empty()) format_error(where + ".delimiter", "expected one character");
    char32_t delim = next_char(d, i);
    return char_split([delim](char32_t c) { return c == delim; }, Behavior::Removed);
  }
  if (type == "Metaspace") {
    std::string replacement = string_member(j, "replacement", where, "\xE2\x96\x81");
    std::string scheme = string_member(j, "prepend_scheme", where, "");
    Metaspace::Prepend prepend = Metaspace::Prepend::Always;
    if (scheme.empty()) {
      prepend = bool_member(j, "add_prefix_space", where, true) ? Metaspace::Prepend::Always
                                                                : Metaspace::Prepend::Never;
    } else if (scheme == "first") {
      prepend = Metaspace::Prepend::First;
    } else if (scheme == "never") {
      prepend = Metaspace::Prepend::Never;
    } else if (scheme != "always") {
      format_error(where + ".prepend_scheme", "unknown prepend scheme \"" + scheme + "\"");
    }
    return std::make_unique<Metaspace>(replacement, prepend, bool_member(j, "split", where, true));
  }
  if (type == "Sequence") {
    const Json& list = array_member(j, "pretokenizers", where);
    std::vector<std::unique_ptr<PreTokenizer>> items;
    for (std::size_t i = 0; i < list.size(); ++i) {
      items.push_back(make_pre_tokenizer(list[i], where + ".pretokenizers[" + std::to_string(i) + "]"));
    }
    return std::make_unique<PreTokenizerSequence>(std::move(items));
  }
  format_error(where, "unknown pre-tokenizer type \"" + type + "\"");
}

}  // namespace nib::text
