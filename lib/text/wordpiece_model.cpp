// WordPiece (BERT): greedy longest-match-first with a continuing-subword prefix.
#include "text/components.hpp"
#include "text/unicode.hpp"
#include "text/vocab.hpp"

namespace nib::text {
namespace {

class WordPiece final : public Model {
 public:
  WordPiece(const Json& j, const std::string& where) {
    vocab_ = vocab_from_json(member(j, "vocab", where), where + ".vocab");
    unk_ = string_member(j, "unk_token", where, "[UNK]");
    prefix_ = string_member(j, "continuing_subword_prefix", where, "##");
    max_chars_ = static_cast<std::size_t>(
        std::max<std::int64_t>(0, int_member(j, "max_input_chars_per_word", where, 100)));
    auto id = vocab_.find(unk_);
    if (!id) format_error(where + ".unk_token", "\"" + unk_ + "\" is not in the vocabulary");
    unk_id_ = *id;
  }

  void tokenize(std::string_view word, std::vector<Token>& out) const override {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < word.size(); i += utf8_len(static_cast<unsigned char>(word[i]))) ++chars;
    if (chars > max_chars_) {
      out.push_back({unk_id_, unk_});
      return;
    }
    std::size_t first = out.size();
    std::string buf = prefix_;
    for (std::size_t start = 0; start < word.size();) {
      std::size_t end = word.size();
      std::optional<TokenId> found;
      while (start < end) {
        std::string_view sub = word.substr(start, end - start);
        if (start > 0) {
          buf.resize(prefix_.size());
          buf.append(sub);
          found = vocab_.find(buf);
        } else {
          found = vocab_.find(sub);
        }
        if (found) break;
        // Step back one character.
        do --end;
        while (end > start && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80);
      }
      if (!found) {
        out.resize(first);
        out.push_back({unk_id_, unk_});
        return;
      }
      out.push_back({*found, *vocab_.token(*found)});
      start = end;
    }
  }

  std::optional<TokenId> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  const std::string* id_to_token(TokenId id) const override { return vocab_.token(id); }
  std::size_t vocab_size() const override { return vocab_.size(); }

 private:
  Vocab vocab_;
  std::string unk_, prefix_;
  TokenId unk_id_ = 0;
  std::size_t max_chars_ = 100;
};

}  // namespace

std::unique_ptr<Model> make_wordpiece_model(const Json& j, const std::string& where) {
  return std::make_unique<WordPiece>(j, where);
}

}  // namespace nib::text
