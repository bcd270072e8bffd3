#include "text/vocab.hpp"

#include <algorithm>
#include <limits>

#include "text/components.hpp"

namespace nib::text {

void Vocab::set(std::string token, TokenId id, const std::string& where) {
  auto idx = static_cast<std::size_t>(id);
  if (id < 0 || idx > std::max(expected_, ids_.size()) + kMaxIdGap) {
    format_error(where, "token id " + std::to_string(id) + " is out of range for a vocabulary of " +
                            std::to_string(std::max(expected_, ids_.size())) + " tokens");
  }
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
    // Range-checked before narrowing: 4294967297 must not become id 1.
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<TokenId>::max());
    const bool ok =
        it->is_number_unsigned()
            ? it->get<std::uint64_t>() <= kMax
            : it->get<std::int64_t>() >= 0 && static_cast<std::uint64_t>(it->get<std::int64_t>()) <= kMax;
    if (!ok) format_error(where + "[\"" + it.key() + "\"]", "token id " + it->dump() + " is out of range");
    const auto id = static_cast<TokenId>(it->get<std::int64_t>());
    if (const std::string* other = v.token(id)) {
      format_error(where + "[\"" + it.key() + "\"]",
                   "token id " + std::to_string(id) + " is also given to \"" + *other + "\"");
    }
    v.set(it.key(), id, where);
  }
  return v;
}

std::string byte_fallback_token(unsigned char b) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
}

int byte_fallback_value(std::string_view t) {
  if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>') return -1;
  auto hex = [](char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
  };
  const int hi = hex(t[3]), lo = hex(t[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

bool byte_fallback_ids(const Vocab& vocab, std::string_view text, std::vector<TokenId>& ids) {
  ids.clear();
  for (char c : text) {
    auto id = vocab.find(byte_fallback_token(static_cast<unsigned char>(c)));
    if (!id) return false;
    ids.push_back(*id);
  }
  return true;
}

}  // namespace nib::text
