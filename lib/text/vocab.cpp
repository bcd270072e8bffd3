#include "text/vocab.hpp"

#include "text/components.hpp"

namespace nib::text {

void Vocab::set(std::string token, TokenId id, const std::string& where) {
  if (id < 0 || id > (1 << 28)) format_error(where, "token id " + std::to_string(id) + " is out of range");
  auto idx = static_cast<std::size_t>(id);
  if (idx >= tokens_.size()) {
    tokens_.resize(idx + 1);
    present_.resize(idx + 1, false);
  }
  tokens_[idx] = token;
  present_[idx] = true;
  if (token.size() <= kShortBytes) short_.set(short_key(token), static_cast<std::uint64_t>(id));
  ids_[std::move(token)] = id;
}

Vocab vocab_from_json(const io::Json& j, const std::string& where) {
  if (!j.is_object())
    format_error(where, std::string("expected an object of token ids, got ") + j.type_name());
  Vocab v;
  v.reserve(j.size());
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it->is_number_integer()) format_error(where + "[\"" + it.key() + "\"]", "expected an integer id");
    v.set(it.key(), static_cast<TokenId>(it->get<std::int64_t>()), where);
  }
  return v;
}

}  // namespace nib::text
