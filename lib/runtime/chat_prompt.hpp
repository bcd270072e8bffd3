#pragma once
// Token ids of a rendered chat prompt, as transformers' apply_chat_template tokenises it: no
// special tokens added, special-token strings the template wrote (bos_token, eos_token, ...)
// become their ids.
#include <string_view>
#include <vector>

#include <nib/tokenizer.hpp>

namespace nib::detail {

std::vector<TokenId> encode_chat_prompt(const Tokenizer& tokenizer, std::string_view rendered);

}  // namespace nib::detail
