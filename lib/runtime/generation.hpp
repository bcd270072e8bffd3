#pragma once
// The generation loop and logits scoring behind Session::generate / generate_ids / logits.
#include <cstdint>
#include <span>
#include <vector>

#include <nib/session.hpp>
#include <nib/tokenizer.hpp>

namespace nib::detail {

class SessionImpl;
class CausalRuntime;

// The session's causal runtime, created on first use (InvalidArgument for encoder models).
CausalRuntime& causal_runtime(SessionImpl& session);

// Continues prompt_ids. With a tokenizer the text is decoded, streamed and checked for stop
// strings; without one, `stream` and `options.stop` must be empty.
Generation generate(SessionImpl& session, std::span<const TokenId> prompt_ids, const GenerateOptions& options,
                    const StreamFn& stream, const Tokenizer* tokenizer);

// Next-token logits after each of `positions` (indices into ids, any order, repeats allowed).
std::vector<std::vector<float>> score(SessionImpl& session, std::span<const TokenId> ids,
                                      std::span<const std::int64_t> positions);

}  // namespace nib::detail
