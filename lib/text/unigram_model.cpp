// Unigram (sentencepiece-style) with Viterbi over the piece lattice; unknown runs are fused.
#include <algorithm>
#include <limits>

#include <nib/error.hpp>

#include "text/components.hpp"
#include "text/unicode.hpp"
#include "text/vocab.hpp"

namespace nib::text {
namespace {

constexpr double kUnkPenalty = 10.0;

class Unigram final : public Model {
 public:
  Unigram(const Json& j, const std::string& where) {
    const Json& list = array_member(j, "vocab", where);
    scores_.reserve(list.size());
    vocab_.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string at = where + ".vocab[" + std::to_string(i) + "]";
      const Json& e = list[i];
      if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number()) {
        format_error(at, "expected [piece, score]");
      }
      const auto& piece = e[0].get_ref<const std::string&>();
      double score = e[1].get<double>();
      vocab_.set(piece, static_cast<TokenId>(i), at);
      scores_.push_back(score);
      min_score_ = std::min(min_score_, score);
      max_len_ = std::max(max_len_, piece.size());
    }
    auto unk = int_member(j, "unk_id", where, -1);
    if (unk >= 0) {
      if (static_cast<std::size_t>(unk) >= list.size()) format_error(where + ".unk_id", "out of range");
      unk_id_ = static_cast<TokenId>(unk);
    }
    byte_fallback_ = bool_member(j, "byte_fallback", where, false);
  }

  void tokenize(std::string_view s, std::vector<Token>& out) const override {
    if (s.empty()) return;
    struct Node {
      TokenId id = -1;
      double score = 0;
      std::size_t start = 0;
      bool set = false;
    };
    std::vector<Node> best(s.size() + 1);
    best[0].set = true;
    double unk_score = min_score_ - kUnkPenalty;
    for (std::size_t start = 0; start < s.size();) {
      // A sequence cut short by the end of the text (invalid UTF-8 the normalizer let through)
      // ends there.
      std::size_t mblen = std::min(utf8_len(static_cast<unsigned char>(s[start])), s.size() - start);
      double base = best[start].score;
      bool single = false;
      // Every vocabulary piece starting here, shortest first (the trie's order in Hugging Face).
      for (std::size_t end = start + 1; end <= s.size() && end - start <= max_len_; ++end) {
        if (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) continue;
        auto id = vocab_.find(s.substr(start, end - start));
        if (!id) continue;
        double cand = base + scores_[static_cast<std::size_t>(*id)];
        Node& t = best[end];
        if (!t.set || cand > t.score) t = {*id, cand, start, true};
        if (end - start == mblen) single = true;
      }
      if (!single) {
        if (!unk_id_)
          throw Error(Status::InvalidArgument, "Unigram: text has no piece and the model has no unk_id");
        double cand = base + unk_score;
        Node& t = best[start + mblen];
        if (!t.set || cand > t.score) t = {*unk_id_, cand, start, true};
      }
      start += mblen;
    }
    // Back-track, fusing consecutive unknowns into one piece.
    std::vector<std::string_view> pieces;
    std::size_t unk_begin = std::string_view::npos, unk_end = 0;
    for (std::size_t end = s.size(); end > 0;) {
      const Node& n = best[end];
      if (unk_id_ && n.id == *unk_id_) {
        if (unk_begin == std::string_view::npos) unk_end = end;
        unk_begin = n.start;
      } else {
        if (unk_begin != std::string_view::npos) pieces.push_back(s.substr(unk_begin, unk_end - unk_begin));
        unk_begin = std::string_view::npos;
        pieces.push_back(s.substr(n.start, end - n.start));
      }
      end = n.start;
    }
    if (unk_begin != std::string_view::npos) pieces.push_back(s.substr(unk_begin, unk_end - unk_begin));
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) emit(*it, out);
  }

  std::optional<TokenId> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  const std::string* id_to_token(TokenId id) const override { return vocab_.token(id); }
  std::size_t vocab_size() const override { return vocab_.size(); }

 private:
  // The token value is the piece text itself, even for unknowns (as Hugging Face reports it).
  void emit(std::string_view piece, std::vector<Token>& out) const {
    if (auto id = vocab_.find(piece)) {
      out.push_back({*id, std::string(piece)});
      return;
    }
    std::vector<TokenId> bytes;
    if (byte_fallback_ && byte_fallback_ids(vocab_, piece, bytes)) {
      for (std::size_t i = 0; i < bytes.size(); ++i)
        out.push_back({bytes[i], byte_fallback_token(static_cast<unsigned char>(piece[i]))});
      return;
    }
    out.push_back({*unk_id_, std::string(piece)});
  }

  Vocab vocab_;
  std::vector<double> scores_;
  double min_score_ = std::numeric_limits<double>::infinity();
  std::size_t max_len_ = 0;
  std::optional<TokenId> unk_id_;
  bool byte_fallback_ = false;
};

}  // namespace

std::unique_ptr<Model> make_unigram_model(const Json& j, const std::string& where) {
  return std::make_unique<Unigram>(j, where);
}

}  // namespace nib::text
