#pragma once
// Encoder tasks on token ids (the text-level Session calls tokenize, then come here): batching
// with right padding, truncation, classification scores, fill-mask top-k, pooling, token tags.
#include <nib/session.hpp>

#include <cstdint>
#include <span>
#include <vector>

#include "io/model_config.hpp"

namespace nib::detail {

class SessionImpl;

// One tokenised input, special tokens included. type_ids may be empty (all 0).
struct EncoderInput {
  std::vector<TokenId> ids;
  std::vector<std::int32_t> type_ids;
};

// Cuts an input longer than max_tokens (Truncation::Error: InvalidArgument naming both lengths).
// With `keep_last`, the final token (the closing [SEP] / </s>) survives the cut, as Hugging Face
// tokenizers truncate the text and then add the special tokens.
void fit_length(EncoderInput& input, std::int64_t max_tokens, Truncation truncation, bool keep_last);

enum class ScoreFunction { Softmax, Sigmoid, None };
// single_label → softmax, multi_label → sigmoid, regression (or one label without a problem type,
// which transformers trains as regression) → the raw logit.
ScoreFunction score_function(const io::ModelConfig& config);
Classification make_classification(std::span<const float> logits, const std::vector<std::string>& labels,
                                   ScoreFunction fn);

// Pools hidden states [seq_len, hidden] of one sequence (mean over mask, the first token, or the
// last unmasked token), then
// optionally L2-normalises.
std::vector<float> pool(const float* hidden, const std::uint8_t* mask, std::int64_t seq_len, std::int64_t dim,
                        Pooling pooling, bool normalize);

// Forward passes over inputs in padded batches; results are in input order and identical to
// running the inputs one at a time.
std::vector<Classification> classify_inputs(SessionImpl& s, std::span<const EncoderInput> inputs);
std::vector<std::vector<float>> embed_inputs(SessionImpl& s, std::span<const EncoderInput> inputs,
                                             Pooling pooling, bool normalize);
// Top-k (id, softmax score over the whole vocabulary, logit) at `position` of one input; the
// MaskFill token/sequence strings are left for the caller, which holds the tokenizer.
std::vector<MaskFill> fill_mask_input(SessionImpl& s, const EncoderInput& input, std::int64_t position,
                                      int k);
// Per-token label probabilities [ids.size(), num_labels] (softmax over labels).
std::vector<float> token_probabilities(SessionImpl& s, const EncoderInput& input);

}  // namespace nib::detail
