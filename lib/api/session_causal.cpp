// The causal-LM half of nib::Session: text and id continuation, and logits.
#include <nib/error.hpp>
#include <nib/session.hpp>

#include "runtime/generation.hpp"
#include "runtime/session_impl.hpp"

namespace nib {

Generation Session::generate(std::string_view prompt, const GenerateOptions& options,
                             const StreamFn& stream) {
  const Tokenizer& tokenizer = impl_->model.tokenizer();
  const Encoding enc = tokenizer.encode(prompt, options.add_special_tokens);
  return detail::generate(*impl_, enc.ids, options, stream, &tokenizer);
}

Generation Session::generate_ids(std::span<const TokenId> prompt_ids, const GenerateOptions& options,
                                 const StreamFn& stream) {
  return detail::generate(*impl_, prompt_ids, options, stream, impl_->model_impl().tokenizer());
}

std::vector<std::vector<float>> Session::logits(std::span<const TokenId> ids,
                                                std::span<const std::int64_t> positions) {
  return detail::score(*impl_, ids, positions);
}

}  // namespace nib
