#pragma once
// The stages of the Hugging Face tokenizer pipeline: normalizer -> pre-tokenizer -> model ->
// post-processor, and the decoder chain back. Each stage is immutable after construction.
#include <nib/tokenizer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/json.hpp"

namespace nib::text {

using io::Json;

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& s) const = 0;
};

// A piece of the input on its way through the pre-tokenizers. `first` is true while the piece
// starts at offset 0 of the original input (Metaspace's prepend_scheme "first" depends on it).
struct PreSplit {
  std::string text;
  bool first = false;
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces `splits` by their sub-splits; empty pieces are dropped.
  virtual void pre_tokenize(std::vector<PreSplit>& splits) const = 0;
};

struct Token {
  TokenId id;
  std::string value;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual void tokenize(std::string_view word, std::vector<Token>& out) const = 0;
  virtual std::optional<TokenId> token_to_id(std::string_view token) const = 0;
  virtual const std::string* id_to_token(TokenId id) const = 0;
  virtual std::size_t vocab_size() const = 0;
};

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // `a` and `b` carry the model's tokens with type ids 0 and 1 already set.
  virtual Encoding process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const = 0;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  // `raw`: keep byte sequences that are not (yet) valid UTF-8 instead of replacing them, so the
  // streaming decoder can wait for the rest of a character.
  virtual void decode_chain(std::vector<std::string>& tokens, bool raw) const = 0;
};

// Builders from tokenizer.json values; `where` is the JSON path used in errors
// ("tokenizer.json: pre_tokenizer.pretokenizers[1]"). Unknown types throw Format naming both.
std::unique_ptr<Normalizer> make_normalizer(const Json& j, const std::string& where);
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& j, const std::string& where);
std::unique_ptr<Model> make_model(const Json& j, const std::string& where);  // type inferred if absent
std::unique_ptr<Model> make_bpe_model(const Json& j, const std::string& where);
std::unique_ptr<Model> make_wordpiece_model(const Json& j, const std::string& where);
std::unique_ptr<Model> make_unigram_model(const Json& j, const std::string& where);
std::unique_ptr<PostProcessor> make_post_processor(const Json& j, const std::string& where);
std::unique_ptr<Decoder> make_decoder(const Json& j, const std::string& where);

// transformers' clean_up_tokenization_spaces (" ." -> ".", " n't" -> "n't", ...).
std::string clean_up_tokenization(std::string s);

// Shared helpers for the builders.
[[noreturn]] void format_error(const std::string& where, const std::string& what);
std::string type_of(const Json& j, const std::string& where);                  // the "type" member, required
const Json& member(const Json& j, const char* key, const std::string& where);  // required, any type
const Json& array_member(const Json& j, const char* key, const std::string& where);
std::string string_member(const Json& j, const char* key, const std::string& where);
std::string string_member(const Json& j, const char* key, const std::string& where,
                          const std::string& fallback);
bool bool_member(const Json& j, const char* key, const std::string& where, bool fallback);
std::int64_t int_member(const Json& j, const char* key, const std::string& where, std::int64_t fallback);

}  // namespace nib::text
