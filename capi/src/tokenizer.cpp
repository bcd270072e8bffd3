// Tokenizers: encode, decode, vocabulary and special tokens.
#include "guard.hpp"
#include "handles.hpp"

using nib::capi::guard;
using nib::capi::need;

namespace {

const nib::Tokenizer& tok(const nib_tokenizer* t) {
  return need(t, "tokenizer")->tokenizer;
}

const nib::Encoding& enc(const nib_encoding* e) {
  return need(e, "encoding")->encoding;
}

}  // namespace

extern "C" {

nib_status nib_model_tokenizer(const nib_model* model, nib_tokenizer** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    const nib::Model& m = need(model, "model")->model;
    *out = new nib_tokenizer{m.tokenizer(), m.info().path, {}, {}};
  });
}

nib_status nib_tokenizer_load(const char* path, nib_tokenizer** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    need(path, "path");
    *out = new nib_tokenizer{nib::Tokenizer::load(path), path, {}, {}};
  });
}

nib_status nib_tokenizer_free(nib_tokenizer* tokenizer) {
  delete tokenizer;
  return NIB_OK;
}

nib_status nib_tokenizer_encode(const nib_tokenizer* tokenizer, const char* text, size_t text_len,
                                int add_special_tokens, nib_encoding** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    const auto& t = tok(tokenizer);
    *out = new nib_encoding{t.encode(nib::capi::text_arg(text, text_len, "text"), add_special_tokens != 0)};
  });
}

nib_status nib_tokenizer_encode_pair(const nib_tokenizer* tokenizer, const char* text, size_t text_len,
                                     const char* text_pair, size_t text_pair_len, int add_special_tokens,
                                     nib_encoding** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    const auto& t = tok(tokenizer);
    *out = new nib_encoding{t.encode_pair(nib::capi::text_arg(text, text_len, "text"),
                                          nib::capi::text_arg(text_pair, text_pair_len, "text_pair"),
                                          add_special_tokens != 0)};
  });
}

nib_status nib_encoding_free(nib_encoding* encoding) {
  delete encoding;
  return NIB_OK;
}

nib_status nib_encoding_ids(const nib_encoding* encoding, const nib_token** ids, size_t* count) {
  return guard(__func__, [&] {
    need(ids, "ids");
    need(count, "count");
    const auto& e = enc(encoding);
    *ids = e.ids.data();
    *count = e.ids.size();
  });
}

nib_status nib_encoding_type_ids(const nib_encoding* encoding, const int32_t** type_ids, size_t* count) {
  return guard(__func__, [&] {
    need(type_ids, "type_ids");
    need(count, "count");
    const auto& e = enc(encoding);
    *type_ids = e.type_ids.data();
    *count = e.type_ids.size();
  });
}

nib_status nib_encoding_token(const nib_encoding* encoding, size_t index, const char** out) {
  return guard(__func__, [&] {
    need(out, "out");
    const auto& e = enc(encoding);
    if (index >= e.tokens.size())
      nib::capi::invalid("token index " + std::to_string(index) + " is out of range (the encoding has " +
                         std::to_string(e.tokens.size()) + " tokens)");
    *out = e.tokens[index].c_str();
  });
}

nib_status nib_tokenizer_decode(const nib_tokenizer* tokenizer, const nib_token* ids, size_t count,
                                int skip_special_tokens, char** out, size_t* out_len) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    const auto& t = tok(tokenizer);
    if (!ids && count) nib::capi::invalid("ids is NULL");
    const std::string text = t.decode({ids, count}, skip_special_tokens != 0);
    *out = nib::capi::copy_string(text);
    if (out_len) *out_len = text.size();
  });
}

nib_status nib_tokenizer_vocab_size(const nib_tokenizer* tokenizer, size_t* out) {
  return guard(__func__, [&] { *need(out, "out") = tok(tokenizer).vocab_size(); });
}

nib_status nib_tokenizer_token_to_id(const nib_tokenizer* tokenizer, const char* token, nib_token* out) {
  return guard(__func__, [&] {
    need(out, "out");
    const auto& t = tok(tokenizer);
    const auto id = t.token_to_id(need(token, "token"));
    if (!id) nib::capi::invalid(std::string("\"") + token + "\" is not in the vocabulary");
    *out = *id;
  });
}

nib_status nib_tokenizer_id_to_token(const nib_tokenizer* tokenizer, nib_token id, char** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    const auto& t = tok(tokenizer);
    if (id < 0 || static_cast<size_t>(id) >= t.vocab_size())
      nib::capi::invalid("id " + std::to_string(id) + " is outside the vocabulary (size " +
                         std::to_string(t.vocab_size()) + ")");
    *out = nib::capi::copy_string(t.id_to_token(id));
  });
}

nib_status nib_tokenizer_is_special(const nib_tokenizer* tokenizer, nib_token id, int* out) {
  return guard(__func__, [&] { *need(out, "out") = tok(tokenizer).is_special(id) ? 1 : 0; });
}

nib_status nib_tokenizer_special_token(const nib_tokenizer* tokenizer, int which, nib_token* out) {
  return guard(__func__, [&] {
    need(out, "out");
    const nib::SpecialTokens& s = tok(tokenizer).special_tokens();
    const std::optional<nib::TokenId>* slot = nullptr;
    switch (which) {
      case NIB_SPECIAL_BOS: slot = &s.bos; break;
      case NIB_SPECIAL_EOS: slot = &s.eos; break;
      case NIB_SPECIAL_UNK: slot = &s.unk; break;
      case NIB_SPECIAL_PAD: slot = &s.pad; break;
      case NIB_SPECIAL_CLS: slot = &s.cls; break;
      case NIB_SPECIAL_SEP: slot = &s.sep; break;
      case NIB_SPECIAL_MASK: slot = &s.mask; break;
    }
    if (!slot) nib::capi::invalid("which " + std::to_string(which) + " is not a nib_special_token");
    *out = slot->value_or(-1);
  });
}
}
