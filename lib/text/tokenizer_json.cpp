// The tokenizer.json pipeline: added tokens -> normalizer -> pre-tokenizer -> model ->
// post-processor; decoding through the decoder chain.
#include <nib/error.hpp>

#include "text/added_tokens.hpp"
#include "text/components.hpp"
#include "text/tokenizer_impl.hpp"
#include "text/unicode.hpp"
#include "text/word_cache.hpp"

namespace nib::text {
namespace {

class PipelineTokenizer final : public detail::TokenizerImpl {
 public:
  PipelineTokenizer(const Json& j, const std::string& source, bool slow_token_strings)
      : slow_token_strings_(slow_token_strings) {
    if (!j.is_object()) format_error(source, std::string("expected a JSON object, got ") + j.type_name());
    auto component = [&](const char* key) -> const Json* {
      auto it = j.find(key);
      return it == j.end() || it->is_null() ? nullptr : &*it;
    };
    if (auto* n = component("normalizer")) normalizer_ = make_normalizer(*n, source + ": normalizer");
    if (auto* p = component("pre_tokenizer"))
      pre_tokenizer_ = make_pre_tokenizer(*p, source + ": pre_tokenizer");
    model_ = make_model(member(j, "model", source), source + ": model");
    if (auto* p = component("post_processor"))
      post_processor_ = make_post_processor(*p, source + ": post_processor");
    if (auto* d = component("decoder")) decoder_ = make_decoder(*d, source + ": decoder");
    if (auto* list = component("added_tokens")) {
      if (!list->is_array()) format_error(source + ": added_tokens", "expected an array");
      for (std::size_t i = 0; i < list->size(); ++i) {
        std::string at = source + ": added_tokens[" + std::to_string(i) + "]";
        const Json& e = (*list)[i];
        AddedToken t;
        t.content = string_member(e, "content", at);
        auto id = int_member(e, "id", at, -1);
        if (id < 0 || id > Vocab::kMaxTokenId) format_error(at + ".id", "missing or out of range");
        t.id = static_cast<TokenId>(id);
        t.special = bool_member(e, "special", at, false);
        t.lstrip = bool_member(e, "lstrip", at, false);
        t.rstrip = bool_member(e, "rstrip", at, false);
        t.single_word = bool_member(e, "single_word", at, false);
        t.normalized = bool_member(e, "normalized", at, !t.special);
        added_.add(t, normalizer_.get(), at);
      }
    }
  }

  Encoding encode(std::string_view text, const std::string_view* pair, bool add_special) const override {
    Encoding a = encode_one(text, 0);
    std::optional<Encoding> b;
    if (pair) b = encode_one(*pair, 1);
    if (post_processor_) return post_processor_->process(std::move(a), std::move(b), add_special);
    if (b) {
      a.ids.insert(a.ids.end(), b->ids.begin(), b->ids.end());
      a.tokens.insert(a.tokens.end(), b->tokens.begin(), b->tokens.end());
      a.type_ids.insert(a.type_ids.end(), b->type_ids.begin(), b->type_ids.end());
    }
    return a;
  }

  std::string decode(std::span<const TokenId> ids, bool skip_special, bool raw) const override {
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (TokenId id : ids) {
      if (const AddedToken* t = added_.get(id)) {
        if (!(skip_special && t->special)) tokens.push_back(t->content);
      } else if (const std::string* s = model_->id_to_token(id)) {
        tokens.push_back(*s);
      }
    }
    if (!decoder_) {
      std::string out;
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (i) out += ' ';
        out += tokens[i];
      }
      return out;
    }
    decoder_->decode_chain(tokens, raw);
    std::string out;
    for (const auto& t : tokens) out += t;
    return out;
  }

  std::size_t vocab_size() const override {
    std::size_t n = model_->vocab_size();
    for (const auto& t : added_.tokens()) n = std::max(n, static_cast<std::size_t>(t.id) + 1);
    return n;
  }
  std::optional<TokenId> token_to_id(std::string_view token) const override {
    if (auto id = added_.find(token)) return id;
    return model_->token_to_id(token);
  }
  std::optional<std::string> id_to_token(TokenId id) const override {
    if (const AddedToken* t = added_.get(id)) return t->content;
    if (const std::string* s = model_->id_to_token(id)) return *s;
    return std::nullopt;
  }
  bool is_special(TokenId id) const override {
    const AddedToken* t = added_.get(id);
    return t && t->special;
  }

 private:
  // One sequence through added tokens, normalizer, pre-tokenizer and model; type ids = type_id.
  Encoding encode_one(std::string_view text, std::int32_t type_id) const {
    if (auto bad = find_invalid_utf8(text); bad != std::string_view::npos) {
      throw Error(Status::InvalidArgument,
                  "tokenizer: input is not valid UTF-8 at byte offset " + std::to_string(bad));
    }
    Encoding enc;
    std::vector<Token> tokens;
    auto emit_token = [&](TokenId id, std::string_view matched) {
      tokens.push_back({id, slow_token_strings_ ? added_.get(id)->content : std::string(matched)});
    };
    std::vector<TextPiece> raw_pieces;
    if (added_.has(false)) {
      added_.split(text, false, raw_pieces);
    } else if (!text.empty()) {
      raw_pieces.push_back({0, text.size(), std::nullopt});
    }
    std::vector<TextPiece> pieces;
    std::vector<PreSplit> splits;
    for (const auto& rp : raw_pieces) {
      std::string_view piece = text.substr(rp.begin, rp.end - rp.begin);
      if (rp.id) {
        emit_token(*rp.id, piece);
        continue;
      }
      std::string normalized(piece);
      if (normalizer_) normalizer_->normalize(normalized);
      pieces.clear();
      if (added_.has(true)) {
        added_.split(normalized, true, pieces);
      } else if (!normalized.empty()) {
        pieces.push_back({0, normalized.size(), std::nullopt});
      }
      for (const auto& p : pieces) {
        std::string_view sub = std::string_view(normalized).substr(p.begin, p.end - p.begin);
        if (p.id) {
          emit_token(*p.id, sub);
          continue;
        }
        splits.clear();
        splits.push_back({std::string(sub), rp.begin == 0 && p.begin == 0});
        if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(splits);
        for (const auto& s : splits) tokenize_word(s.text, tokens);
      }
    }
    enc.ids.reserve(tokens.size());
    enc.tokens.reserve(tokens.size());
    for (auto& t : tokens) {
      enc.ids.push_back(t.id);
      enc.tokens.push_back(std::move(t.value));
    }
    enc.type_ids.assign(enc.ids.size(), type_id);
    return enc;
  }

  void tokenize_word(std::string_view word, std::vector<Token>& tokens) const {
    if (cache_.find(word, tokens)) return;
    std::size_t first = tokens.size();
    model_->tokenize(word, tokens);
    cache_.insert(word, std::span(tokens).subspan(first));
  }

  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<PostProcessor> post_processor_;
  std::unique_ptr<Decoder> decoder_;
  AddedVocabulary added_;
  WordCache cache_;
  bool slow_token_strings_;
};

}  // namespace

std::unique_ptr<Model> make_model(const Json& j, const std::string& where) {
  if (!j.is_object()) format_error(where, std::string("expected an object, got ") + j.type_name());
  std::string type;
  if (j.contains("type")) {
    type = type_of(j, where);
  } else if (j.contains("merges")) {  // old files carry no "type": infer it as Hugging Face does
    type = "BPE";
  } else if (j.contains("vocab") && j["vocab"].is_array()) {
    type = "Unigram";
  } else if (j.contains("continuing_subword_prefix") || j.contains("max_input_chars_per_word")) {
    type = "WordPiece";
  } else {
    format_error(where, "cannot infer the model type (no \"type\" key)");
  }
  if (type == "BPE") return make_bpe_model(j, where);
  if (type == "WordPiece") return make_wordpiece_model(j, where);
  if (type == "Unigram") return make_unigram_model(j, where);
  format_error(where, "unknown model type \"" + type + "\"");
}

}  // namespace nib::text

namespace nib::detail {

std::shared_ptr<TokenizerImpl> load_tokenizer_json(const io::Json& tokenizer, const std::string& source,
                                                   const io::Json& config, bool slow_token_strings) {
  auto impl = std::make_shared<text::PipelineTokenizer>(tokenizer, source, slow_token_strings);
  impl->kind = "tokenizer.json";
  resolve_special_tokens(*impl, config);
  return impl;
}

}  // namespace nib::detail
