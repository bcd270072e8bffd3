// tokenizer.model (sentencepiece) through libsentencepiece, with tokenizer_config.json's
// add_bos_token / add_eos_token. Text is encoded exactly as sentencepiece does (special-token
// strings in the text are plain text, as in the reference).
#include <sentencepiece_processor.h>

#include <nib/error.hpp>

#include "text/tokenizer_impl.hpp"
#include "text/unicode.hpp"

namespace nib::text {
namespace {

class SentencePieceTokenizer final : public detail::TokenizerImpl {
 public:
  SentencePieceTokenizer(const std::filesystem::path& path, const io::Json& config) {
    auto status = sp_.Load(path.string());
    if (!status.ok())
      throw Error(Status::Format, path.string() + ": cannot load sentencepiece model: " + status.ToString());
    auto flag = [&](const char* key, bool fallback) {
      auto it = config.is_object() ? config.find(key) : config.end();
      return config.is_object() && it != config.end() && it->is_boolean() ? it->get<bool>() : fallback;
    };
    add_bos_ = flag("add_bos_token", true) && sp_.bos_id() >= 0;
    add_eos_ = flag("add_eos_token", false) && sp_.eos_id() >= 0;
  }

  Encoding encode(std::string_view text, const std::string_view* pair, bool add_special) const override {
    Encoding out;
    append(out, text, 0, add_special);
    if (pair) append(out, *pair, 1, add_special);
    return out;
  }

  std::string decode(std::span<const TokenId> ids, bool skip_special, bool raw) const override {
    std::vector<int> kept;
    for (TokenId id : ids) {
      if (id < 0 || id >= sp_.GetPieceSize()) continue;
      if (skip_special && is_special(id)) continue;
      kept.push_back(id);
    }
    if (!raw) {
      std::string out;
      auto status = sp_.Decode(kept, &out);
      if (!status.ok()) throw Error(Status::Internal, "sentencepiece decode failed: " + status.ToString());
      return out;
    }
    // Byte pieces stay raw bytes so a streaming caller can wait for the rest of a character.
    std::string out;
    for (int id : kept) {
      if (sp_.IsControl(id)) continue;
      if (sp_.IsUnknown(id)) {
        out += " \xE2\x81\x87 ";
        continue;
      }
      const std::string& piece = sp_.IdToPiece(id);
      if (sp_.IsByte(id) && piece.size() == 6) {
        out += static_cast<char>(std::stoi(piece.substr(3, 2), nullptr, 16));
        continue;
      }
      for (std::size_t i = 0; i < piece.size();) {
        if (piece.compare(i, 3, "\xE2\x96\x81") == 0) {
          out += ' ';
          i += 3;
        } else {
          out += piece[i++];
        }
      }
    }
    if (!out.empty() && out[0] == ' ') out.erase(0, 1);
    return out;
  }

  std::size_t vocab_size() const override { return static_cast<std::size_t>(sp_.GetPieceSize()); }
  std::optional<TokenId> token_to_id(std::string_view token) const override {
    int id = sp_.PieceToId(std::string(token));
    if (id == sp_.unk_id() && token != sp_.IdToPiece(id)) return std::nullopt;
    return id;
  }
  std::optional<std::string> id_to_token(TokenId id) const override {
    if (id < 0 || id >= sp_.GetPieceSize()) return std::nullopt;
    return sp_.IdToPiece(id);
  }
  // What transformers' slow tokenizer skips: bos/eos/pad (control pieces) and unk.
  bool is_special(TokenId id) const override {
    return id >= 0 && id < sp_.GetPieceSize() && (sp_.IsControl(id) || sp_.IsUnknown(id));
  }

 private:
  void append(Encoding& out, std::string_view text, std::int32_t type_id, bool add_special) const {
    if (auto bad = find_invalid_utf8(text); bad != std::string_view::npos) {
      throw Error(Status::InvalidArgument,
                  "tokenizer: input is not valid UTF-8 at byte offset " + std::to_string(bad));
    }
    std::vector<int> ids;
    auto status = sp_.Encode(std::string(text), &ids);
    if (!status.ok()) throw Error(Status::Internal, "sentencepiece encode failed: " + status.ToString());
    auto push = [&](int id) {
      out.ids.push_back(id);
      out.tokens.push_back(sp_.IdToPiece(id));
      out.type_ids.push_back(type_id);
    };
    if (add_special && add_bos_) push(sp_.bos_id());
    for (int id : ids) push(id);
    if (add_special && add_eos_) push(sp_.eos_id());
  }

  sentencepiece::SentencePieceProcessor sp_;
  bool add_bos_ = true, add_eos_ = false;
};

}  // namespace
}  // namespace nib::text

namespace nib::detail {

std::shared_ptr<TokenizerImpl> load_sentencepiece(const std::filesystem::path& model,
                                                  const io::Json& config) {
  auto impl = std::make_shared<text::SentencePieceTokenizer>(model, config);
  impl->kind = "sentencepiece";
  resolve_special_tokens(*impl, config);
  return impl;
}

}  // namespace nib::detail
