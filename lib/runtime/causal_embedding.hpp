#pragma once
// Embeddings from a causal LM: each text's final hidden states (after the final norm), pooled by
// mean or last token. One sequence per forward pass through the session's KV cache (which then
// holds the last text, so a following generate() on the same prefix reuses it).
#include <nib/session.hpp>

#include <span>
#include <string>
#include <vector>

namespace nib::detail {

class SessionImpl;

// Pooling must be Mean or LastToken (Cls: InvalidArgument, a causal LM has no summary token).
std::vector<std::vector<float>> embed_causal(SessionImpl& s, std::span<const std::string> texts,
                                             Pooling pooling, bool normalize, const EncodeOptions& options);

}  // namespace nib::detail
