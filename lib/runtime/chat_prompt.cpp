#include "runtime/chat_prompt.hpp"

#include <string>
#include <utility>

namespace nib::detail {

namespace {

// The special tokens' strings with their ids.
std::vector<std::pair<std::string, TokenId>> special_strings(const Tokenizer& tokenizer) {
  const SpecialTokens& s = tokenizer.special_tokens();
  std::vector<std::pair<std::string, TokenId>> out;
  for (const auto& id : {s.bos, s.eos, s.unk, s.pad, s.cls, s.sep, s.mask}) {
    if (!id) continue;
    std::string text = tokenizer.id_to_token(*id);
    if (!text.empty()) out.emplace_back(std::move(text), *id);
  }
  return out;
}

}  // namespace

std::vector<TokenId> encode_chat_prompt(const Tokenizer& tokenizer, std::string_view rendered) {
  // tokenizer.json tokenizers match their added (special) tokens in the text themselves. A bare
  // sentencepiece model reads "<s>" as plain text, whereas transformers' slow tokenizer splits the
  // text at its special tokens first and encodes each piece on its own (legacy mode): do the same.
  if (tokenizer.kind() != "sentencepiece") return tokenizer.encode(rendered, false).ids;
  const auto specials = special_strings(tokenizer);
  std::vector<TokenId> ids;
  auto encode_piece = [&](std::string_view piece) {
    if (piece.empty()) return;
    const auto enc = tokenizer.encode(piece, false).ids;
    ids.insert(ids.end(), enc.begin(), enc.end());
  };
  std::size_t begin = 0;  // start of the text not yet encoded
  for (std::size_t at = 0; at < rendered.size();) {
    const std::pair<std::string, TokenId>* match = nullptr;  // the longest special token at `at`
    for (const auto& s : specials) {
      if (rendered.substr(at).starts_with(s.first) && (!match || s.first.size() > match->first.size()))
        match = &s;
    }
    if (!match) {
      ++at;
      continue;
    }
    encode_piece(rendered.substr(begin, at - begin));
    ids.push_back(match->second);
    at += match->first.size();
    begin = at;
  }
  encode_piece(rendered.substr(begin));
  return ids;
}

}  // namespace nib::detail
