// Decoders: turn token strings back into text, as a chain over the list of tokens.
#include <utility>

#include "text/components.hpp"
#include "text/pattern.hpp"
#include "text/unicode.hpp"
#include "text/vocab.hpp"

namespace nib::text {
namespace {

// The WordPiece/CTC decoders' `cleanup` (Rust) and transformers' clean_up_tokenization (Python,
// which lacks the " do not" rule).
std::string cleanup(std::string s, bool rust = true) {
  static const std::pair<std::string_view, std::string_view> kRules[] = {
      {" .", "."},   {" ?", "?"},           {" !", "!"},   {" ,", ","},     {" ' ", "'"},   {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (auto [from, to] : kRules) {
    if (!rust && from == " do not") continue;
    std::string out;
    std::size_t prev = 0;
    for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, prev)) {
      out.append(s, prev, p - prev);
      out.append(to);
      prev = p + from.size();
    }
    if (prev == 0) continue;
    out.append(s, prev, std::string::npos);
    s = std::move(out);
  }
  return s;
}

class ByteLevelDecoder final : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens, bool raw) const override {
    std::string bytes;
    for (const auto& t : tokens) {
      for (std::size_t i = 0; i < t.size();) {
        std::size_t at = i;
        int b = unicode_to_byte(next_char(t, i));
        if (b >= 0) {
          bytes += static_cast<char>(b);
        } else {
          bytes.append(t, at, i - at);  // not a byte-level character: keep it as is
        }
      }
    }
    tokens.assign(1, raw ? std::move(bytes) : utf8_lossy(bytes));
  }
};

class WordPieceDecoder final : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  void decode_chain(std::vector<std::string>& tokens, bool) const override {
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      auto& t = tokens[i];
      if (i != 0) {
        if (t.compare(0, prefix_.size(), prefix_) == 0) {
          t.erase(0, prefix_.size());
        } else {
          t.insert(0, " ");
        }
      }
      if (cleanup_) t = cleanup(std::move(t));
    }
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

class MetaspaceDecoder final : public Decoder {
 public:
  MetaspaceDecoder(std::string replacement, bool strip_first)
      : replacement_(std::move(replacement)), strip_first_(strip_first) {}
  void decode_chain(std::vector<std::string>& tokens, bool) const override {
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const auto& t = tokens[i];
      for (std::size_t p = 0; p < t.size();) {
        if (!replacement_.empty() && t.compare(p, replacement_.size(), replacement_) == 0) {
          out += ' ';
          p += replacement_.size();
        } else {
          out += t[p++];
        }
      }
      if (i == 0 && strip_first_ && !out.empty() && out[0] == ' ') out.erase(0, 1);
      tokens[i] = std::move(out);
    }
  }

 private:
  std::string replacement_;
  bool strip_first_;
};

class BpeDecoder final : public Decoder {
 public:
  explicit BpeDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  void decode_chain(std::vector<std::string>& tokens, bool) const override {
    if (suffix_.empty()) return;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      std::string_view repl = i + 1 == tokens.size() ? "" : " ";
      std::string out;
      const auto& t = tokens[i];
      std::size_t prev = 0;
      for (std::size_t p = t.find(suffix_); p != std::string::npos; p = t.find(suffix_, prev)) {
        out.append(t, prev, p - prev);
        out.append(repl);
        prev = p + suffix_.size();
      }
      out.append(t, prev, std::string::npos);
      tokens[i] = std::move(out);
    }
  }

 private:
  std::string suffix_;
};

class ByteFallbackDecoder final : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens, bool raw) const override {
    std::vector<std::string> out;
    std::string pending;
    auto flush = [&] {
      if (pending.empty()) return;
      if (raw || find_invalid_utf8(pending) == std::string::npos) {
        out.push_back(std::move(pending));
      } else {
        for (std::size_t k = 0; k < pending.size(); ++k) out.emplace_back("\xEF\xBF\xBD");
      }
      pending.clear();
    };
    for (auto& t : tokens) {
      int b = byte_fallback_value(t);
      if (b >= 0) {
        pending += static_cast<char>(b);
      } else {
        flush();
        out.push_back(std::move(t));
      }
    }
    flush();
    tokens = std::move(out);
  }
};

class FuseDecoder final : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens, bool) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    tokens.assign(1, std::move(all));
  }
};

class StripDecoder final : public Decoder {
 public:
  StripDecoder(char32_t content, std::size_t start, std::size_t stop)
      : content_(content), start_(start), stop_(stop) {}
  void decode_chain(std::vector<std::string>& tokens, bool) const override {
    for (auto& t : tokens) {
      std::vector<std::pair<std::size_t, char32_t>> chars;  // (byte offset, char)
      for (std::size_t i = 0; i < t.size();) {
        std::size_t at = i;
        chars.emplace_back(at, next_char(t, i));
      }
      std::size_t cut_start = 0, cut_stop = 0;
      while (cut_start < start_ && cut_start < chars.size() && chars[cut_start].second == content_)
        ++cut_start;
      while (cut_stop < stop_ && cut_stop < chars.size() - cut_start &&
             chars[chars.size() - 1 - cut_stop].second == content_) {
        ++cut_stop;
      }
      std::size_t b = cut_start < chars.size() ? chars[cut_start].first : t.size();
      std::size_t e = cut_stop == 0 ? t.size() : chars[chars.size() - cut_stop].first;
      t = t.substr(b, e > b ? e - b : 0);
    }
  }

 private:
  char32_t content_;
  std::size_t start_, stop_;
};

class ReplaceDecoder final : public Decoder {
 public:
  ReplaceDecoder(const Json& j, const std::string& where)
      : pattern_(member(j, "pattern", where), where + ".pattern"),
        content_(string_member(j, "content", where)) {}
  void decode_chain(std::vector<std::string>& tokens, bool) const override {
    for (auto& t : tokens) t = pattern_.replace_all(t, content_);
  }

 private:
  Pattern pattern_;
  std::string content_;
};

class CtcDecoder final : public Decoder {
 public:
  CtcDecoder(std::string pad, std::string delimiter, bool cleanup)
      : pad_(std::move(pad)), delimiter_(std::move(delimiter)), cleanup_(cleanup) {}
  void decode_chain(std::vector<std::string>& tokens, bool) const override {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0 && tokens[i] == tokens[i - 1]) continue;  // collapse repeats
      if (tokens[i] == pad_) continue;
      std::string t = tokens[i];
      for (std::size_t p = t.find(delimiter_); !delimiter_.empty() && p != std::string::npos;
           p = t.find(delimiter_, p + 1)) {
        t.replace(p, delimiter_.size(), " ");
      }
      if (cleanup_) t = cleanup(std::move(t));
      if (!t.empty()) out.push_back(std::move(t));
    }
    tokens = std::move(out);
  }

 private:
  std::string pad_, delimiter_;
  bool cleanup_;
};

class DecoderSequence final : public Decoder {
 public:
  explicit DecoderSequence(std::vector<std::unique_ptr<Decoder>> items) : items_(std::move(items)) {}
  void decode_chain(std::vector<std::string>& tokens, bool raw) const override {
    for (const auto& d : items_) d->decode_chain(tokens, raw);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> items_;
};

}  // namespace

std::string clean_up_tokenization(std::string s) {
  return cleanup(std::move(s), false);
}

std::unique_ptr<Decoder> make_decoder(const Json& j, const std::string& where) {
  std::string type = type_of(j, where);
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "WordPiece") {
    return std::make_unique<WordPieceDecoder>(string_member(j, "prefix", where, "##"),
                                              bool_member(j, "cleanup", where, true));
  }
  if (type == "Metaspace") {
    std::string scheme = string_member(j, "prepend_scheme", where, "");
    bool strip = scheme.empty() ? bool_member(j, "add_prefix_space", where, true) : scheme != "never";
    return std::make_unique<MetaspaceDecoder>(string_member(j, "replacement", where, "\xE2\x96\x81"), strip);
  }
  if (type == "BPEDecoder") return std::make_unique<BpeDecoder>(string_member(j, "suffix", where, "</w>"));
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Strip") {
    std::string content = string_member(j, "content", where, " ");
    std::size_t i = 0;
    if (content.empty()) format_error(where + ".content", "expected one character");
    char32_t c = next_char(content, i);
    return std::make_unique<StripDecoder>(
        c, static_cast<std::size_t>(std::max<std::int64_t>(0, int_member(j, "start", where, 0))),
        static_cast<std::size_t>(std::max<std::int64_t>(0, int_member(j, "stop", where, 0))));
  }
  if (type == "Replace") return std::make_unique<ReplaceDecoder>(j, where);
  if (type == "CTC") {
    return std::make_unique<CtcDecoder>(string_member(j, "pad_token", where, "<pad>"),
                                        string_member(j, "word_delimiter_token", where, "|"),
                                        bool_member(j, "cleanup", where, true));
  }
  if (type == "Sequence") {
    const Json& list = array_member(j, "decoders", where);
    std::vector<std::unique_ptr<Decoder>> items;
    for (std::size_t i = 0; i < list.size(); ++i) {
      items.push_back(make_decoder(list[i], where + ".decoders[" + std::to_string(i) + "]"));
    }
    return std::make_unique<DecoderSequence>(std::move(items));
  }
  format_error(where, "unknown decoder type \"" + type + "\"");
}

}  // namespace nib::text
