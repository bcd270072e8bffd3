// The encoder half of nib::Session: text → ids with the model's tokenizer, then the id-level tasks
// of runtime/encoder_tasks.
#include <nib/error.hpp>
#include <nib/session.hpp>

#include <algorithm>

#include "runtime/causal_embedding.hpp"
#include "runtime/encoder_runtime.hpp"
#include "runtime/encoder_tasks.hpp"
#include "runtime/head_impl.hpp"
#include "runtime/session_impl.hpp"
#include "runtime/token_aggregation.hpp"

namespace nib {

namespace {

using detail::EncoderInput;
using detail::SessionImpl;

struct Encoded {
  EncoderInput input;
  std::vector<std::string> tokens;
};

// Tokenises with special tokens and fits the model's positions (or `limit` when smaller).
Encoded encode_text(SessionImpl& s, std::string_view text, const EncodeOptions& options,
                    std::int64_t limit = 0) {
  const auto& tok = s.model.tokenizer();
  auto e = tok.encode(text, /*add_special_tokens=*/true);
  Encoded out{{std::move(e.ids), std::move(e.type_ids)}, std::move(e.tokens)};
  std::int64_t max = s.model_impl().encoder().max_tokens();
  if (limit > 0) max = std::min(max, limit);
  const bool keep_last = !out.input.ids.empty() && tok.is_special(out.input.ids.back());
  const auto last_token = out.tokens.empty() ? std::string() : out.tokens.back();
  detail::fit_length(out.input, max, options.truncation, keep_last);
  if (out.tokens.size() > out.input.ids.size()) {
    out.tokens.resize(out.input.ids.size());
    if (keep_last) out.tokens.back() = last_token;
  }
  return out;
}

std::vector<EncoderInput> encode_texts(SessionImpl& s, std::span<const std::string> texts,
                                       const EncodeOptions& options, std::int64_t limit = 0) {
  std::vector<EncoderInput> inputs;
  inputs.reserve(texts.size());
  for (const auto& t : texts) inputs.push_back(encode_text(s, t, options, limit).input);
  return inputs;
}

}  // namespace

Classification Session::classify(std::string_view text, const EncodeOptions& options) {
  if (impl_->head) {
    const std::string one(text);
    return classify(std::span(&one, 1), options).at(0);
  }
  const auto input = encode_text(*impl_, text, options).input;
  return detail::classify_inputs(*impl_, std::span(&input, 1)).at(0);
}

std::vector<Classification> Session::classify(std::span<const std::string> texts,
                                              const EncodeOptions& options) {
  if (const auto head = impl_->head) {  // the head's features: its pooling of this session's model
    const auto features = embed(texts, {head->info.pooling, head->info.normalize}, options);
    std::vector<Classification> out;
    out.reserve(features.size());
    for (const auto& f : features) out.push_back(head->apply(f));
    return out;
  }
  return detail::classify_inputs(*impl_, encode_texts(*impl_, texts, options));
}

std::vector<float> Session::embed(std::string_view text, const EmbedOptions& embed,
                                  const EncodeOptions& options) {
  const std::string one(text);
  return this->embed(std::span(&one, 1), embed, options).at(0);
}

std::vector<std::vector<float>> Session::embed(std::span<const std::string> texts, const EmbedOptions& embed,
                                               const EncodeOptions& options) {
  const auto plan = detail::plan_embedding(*impl_, embed);
  if (impl_->model.info().kind == ModelKind::CausalLM) {
    return detail::embed_causal(*impl_, texts, plan.pooling, plan.normalize, options);
  }
  return detail::embed_inputs(*impl_, encode_texts(*impl_, texts, options, plan.limit), plan.pooling,
                              plan.normalize);
}

std::vector<MaskFill> Session::fill_mask(std::string_view text, int k, const EncodeOptions& options) {
  const auto& tok = impl_->model.tokenizer();
  const auto mask = tok.special_tokens().mask;
  if (!mask) throw Error(Status::InvalidArgument, "fill_mask: the model's tokenizer has no mask token");
  auto input = encode_text(*impl_, text, options).input;
  const auto n_masks = std::count(input.ids.begin(), input.ids.end(), *mask);
  if (n_masks != 1) {
    throw Error(Status::InvalidArgument, "fill_mask: the text must hold exactly one " +
                                             tok.id_to_token(*mask) + " token, found " +
                                             std::to_string(n_masks));
  }
  const auto position = std::find(input.ids.begin(), input.ids.end(), *mask) - input.ids.begin();
  auto fills = detail::fill_mask_input(*impl_, input, position, k);
  for (auto& f : fills) {
    f.token = tok.id_to_token(f.id);
    input.ids[static_cast<std::size_t>(position)] = f.id;
    f.sequence = tok.decode(input.ids, /*skip_special_tokens=*/true, tok.clean_up_tokenization_spaces());
  }
  return fills;
}

std::vector<TokenTag> Session::tag_tokens(std::string_view text, Aggregation aggregation,
                                          const EncodeOptions& options) {
  const auto& tok = impl_->model.tokenizer();
  auto enc = encode_text(*impl_, text, options);
  const auto probs = detail::token_probabilities(*impl_, enc.input);
  detail::TokenScores scores;
  scores.labels = &impl_->model_impl().encoder().config().labels;
  scores.probs = probs.data();
  scores.special.resize(enc.input.ids.size());
  for (std::size_t i = 0; i < enc.input.ids.size(); ++i) scores.special[i] = tok.is_special(enc.input.ids[i]);
  scores.subword = detail::subword_flags(enc.tokens, scores.special);
  scores.tokens = std::move(enc.tokens);
  const auto& ids = enc.input.ids;
  return detail::aggregate_tokens(scores, aggregation, [&](std::int64_t begin, std::int64_t end) {
    const std::span<const TokenId> range(ids.data() + begin, static_cast<std::size_t>(end - begin));
    return tok.decode(range, /*skip_special_tokens=*/true, tok.clean_up_tokenization_spaces());
  });
}

}  // namespace nib
