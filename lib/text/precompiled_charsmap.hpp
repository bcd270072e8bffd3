#pragma once
// sentencepiece's precompiled normalization map (a darts-clone double-array trie over UTF-8 keys
// plus a blob of NUL-terminated replacements), as serialised in tokenizer.json's Precompiled
// normalizer and in .model files.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nib::text {

class PrecompiledCharsmap {
 public:
  // `blob`: the decoded bytes; `where` names the source for errors.
  PrecompiledCharsmap(std::string_view blob, const std::string& where);
  // The replacement of the shortest key that prefixes `chunk`, as spm_precompiled does.
  std::optional<std::string_view> transform(std::string_view chunk) const;
  // Grapheme by grapheme, as Hugging Face's Precompiled normalizer.
  std::string normalize(std::string_view s) const;

 private:
  std::vector<std::uint32_t> trie_;
  std::string normalized_;
};

std::string base64_decode(std::string_view in, const std::string& where);

}  // namespace nib::text
