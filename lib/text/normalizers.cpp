// Normalizers of tokenizer.json, applied to each text segment between added tokens.
#include <array>
#include <utility>

#include "text/components.hpp"
#include "text/pattern.hpp"
#include "text/precompiled_charsmap.hpp"
#include "text/unicode.hpp"

namespace nib::text {
namespace {

// Applies `f(out, c)` to every character; the common shape of the character-wise normalizers.
template <class F>
void map_chars(std::string& s, F&& f) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (std::size_t i = 0; i < s.size();) f(out, next_char(s, i));
  s = std::move(out);
}

void strip_accents(std::string& s) {
  map_chars(s, [](std::string& out, char32_t c) {
    if (!is_combining_mark(c)) append_utf8(out, c);
  });
}

void lowercase(std::string& s) {
  map_chars(s, [](std::string& out, char32_t c) { append_lowercase(out, c); });
}

class BertNormalizer final : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool chinese, bool strip_accents, bool lowercase)
      : clean_text_(clean_text), chinese_(chinese), strip_accents_(strip_accents), lowercase_(lowercase) {
    for (int b = 0; b < 0x80; ++b) {
      std::string one(1, static_cast<char>(b));
      normalize_general(one);
      ascii_[static_cast<std::size_t>(b)] =
          one.size() == 1 && static_cast<unsigned char>(one[0]) < 0x80 ? one[0] : kNotMapped;
    }
  }

  // ASCII characters that map to one ASCII character use a table built with the general path;
  // everything else goes through the general path in maximal runs. Such a character is a starter
  // (canonical combining class 0) that NFD never reorders across, and the other steps work
  // character by character, so normalising run by run equals normalising the whole string.
  void normalize(std::string& s) const override {
    std::string out, run;
    out.reserve(s.size() + s.size() / 8);
    for (char c : s) {
      char mapped = static_cast<unsigned char>(c) < 0x80 ? ascii_[static_cast<unsigned char>(c)] : kNotMapped;
      if (mapped == kNotMapped) {
        run += c;
        continue;
      }
      if (!run.empty()) {
        normalize_general(run);
        out += run;
        run.clear();
      }
      out += mapped;
    }
    if (!run.empty()) {
      normalize_general(run);
      out += run;
    }
    s = std::move(out);
  }

 private:
  static constexpr char kNotMapped = '\x80';  // not ASCII, so never a table result

  void normalize_general(std::string& s) const {
    if (clean_text_) {
      map_chars(s, [](std::string& out, char32_t c) {
        if (c == 0 || c == 0xFFFD || is_control(c)) return;
        if (c == '\t' || c == '\n' || c == '\r' || is_whitespace(c)) {
          out += ' ';
        } else {
          append_utf8(out, c);
        }
      });
    }
    if (chinese_) {
      map_chars(s, [](std::string& out, char32_t c) {
        if (is_cjk(c)) {
          out += ' ';
          append_utf8(out, c);
          out += ' ';
        } else {
          append_utf8(out, c);
        }
      });
    }
    if (strip_accents_) {
      s = unicode_normalize(s, NormForm::NFD);
      strip_accents(s);
    }
    if (lowercase_) lowercase(s);
  }

  bool clean_text_, chinese_, strip_accents_, lowercase_;
  std::array<char, 0x80> ascii_{};
};

class UnicodeNormalizer final : public Normalizer {
 public:
  explicit UnicodeNormalizer(NormForm form) : form_(form) {}
  void normalize(std::string& s) const override { s = unicode_normalize(s, form_); }

 private:
  NormForm form_;
};

class Lowercase final : public Normalizer {
 public:
  void normalize(std::string& s) const override { lowercase(s); }
};

class StripAccents final : public Normalizer {
 public:
  void normalize(std::string& s) const override { strip_accents(s); }
};

class Strip final : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(std::string& s) const override {
    std::size_t begin = 0, end = s.size();
    if (left_) {
      for (std::size_t i = 0; i < s.size();) {
        std::size_t at = i;
        if (!is_whitespace(next_char(s, i))) break;
        begin = i;
        (void)at;
      }
    }
    if (right_) {
      std::size_t i = begin;
      std::size_t last_non_ws = begin;
      while (i < end) {
        if (!is_whitespace(next_char(s, i))) last_non_ws = i;
      }
      end = last_non_ws;
    }
    s = s.substr(begin, end - begin);
  }

 private:
  bool left_, right_;
};

class Replace final : public Normalizer {
 public:
  Replace(const Json& j, const std::string& where)
      : pattern_(member(j, "pattern", where), where + ".pattern"),
        content_(string_member(j, "content", where)) {}
  void normalize(std::string& s) const override { s = pattern_.replace_all(s, content_); }

 private:
  Pattern pattern_;
  std::string content_;
};

class Prepend final : public Normalizer {
 public:
  explicit Prepend(std::string prefix) : prefix_(std::move(prefix)) {}
  void normalize(std::string& s) const override {
    if (!s.empty()) s.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

class Precompiled final : public Normalizer {
 public:
  explicit Precompiled(PrecompiledCharsmap map) : map_(std::move(map)) {}
  void normalize(std::string& s) const override { s = map_.normalize(s); }

 private:
  PrecompiledCharsmap map_;
};

class ByteLevelNormalizer final : public Normalizer {
 public:
  void normalize(std::string& s) const override {
    std::string out;
    for (char c : s) out += byte_to_unicode(static_cast<unsigned char>(c));
    s = std::move(out);
  }
};

class NormalizerSequence final : public Normalizer {
 public:
  explicit NormalizerSequence(std::vector<std::unique_ptr<Normalizer>> items) : items_(std::move(items)) {}
  void normalize(std::string& s) const override {
    for (const auto& n : items_) n->normalize(s);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> items_;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const Json& j, const std::string& where) {
  std::string type = type_of(j, where);
  if (type == "BertNormalizer") {
    bool lower = bool_member(j, "lowercase", where, true);
    return std::make_unique<BertNormalizer>(bool_member(j, "clean_text", where, true),
                                            bool_member(j, "handle_chinese_chars", where, true),
                                            bool_member(j, "strip_accents", where, lower), lower);
  }
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(NormForm::NFC);
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(NormForm::NFD);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(NormForm::NFKC);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(NormForm::NFKD);
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "StripAccents") return std::make_unique<StripAccents>();
  if (type == "Strip") {
    return std::make_unique<Strip>(bool_member(j, "strip_left", where, true),
                                   bool_member(j, "strip_right", where, true));
  }
  if (type == "Replace") return std::make_unique<Replace>(j, where);
  if (type == "Prepend") return std::make_unique<Prepend>(string_member(j, "prepend", where));
  if (type == "Precompiled") {
    const Json& map = member(j, "precompiled_charsmap", where);
    if (map.is_null())
      return std::make_unique<NormalizerSequence>(std::vector<std::unique_ptr<Normalizer>>{});
    std::string blob =
        base64_decode(string_member(j, "precompiled_charsmap", where), where + ".precompiled_charsmap");
    return std::make_unique<Precompiled>(PrecompiledCharsmap(blob, where + ".precompiled_charsmap"));
  }
  if (type == "ByteLevel") return std::make_unique<ByteLevelNormalizer>();
  if (type == "Sequence") {
    const Json& list = array_member(j, "normalizers", where);
    std::vector<std::unique_ptr<Normalizer>> items;
    for (std::size_t i = 0; i < list.size(); ++i) {
      items.push_back(make_normalizer(list[i], where + ".normalizers[" + std::to_string(i) + "]"));
    }
    return std::make_unique<NormalizerSequence>(std::move(items));
  }
  format_error(where, "unknown normalizer type \"" + type + "\"");
}

}  // namespace nib::text
