// Session::chat: the model's chat template rendered, tokenised as transformers'
// apply_chat_template does (no special tokens added: the template writes BOS), and continued.
#include <nib/error.hpp>
#include <nib/session.hpp>

#include <filesystem>

#include "runtime/chat_prompt.hpp"
#include "runtime/generation.hpp"
#include "runtime/session_impl.hpp"

namespace nib {

Generation Session::chat(std::span<const Message> messages, const GenerateOptions& options,
                         const StreamFn& stream, const ChatOptions& chat_options) {
  detail::SessionImpl& s = *impl_;
  if (!s.chat_template) {
    const auto config = s.model.info().path / "tokenizer_config.json";
    if (!std::filesystem::exists(config)) {
      throw Error(Status::Unsupported,
                  s.model.info().path.string() + " has no chat template (no tokenizer_config.json)");
    }
    s.chat_template = ChatTemplate::from_tokenizer_config(config);
  }
  const std::string prompt = s.chat_template->render(messages, chat_options);
  const Tokenizer& tokenizer = s.model.tokenizer();
  return detail::generate(s, detail::encode_chat_prompt(tokenizer, prompt), options, stream, &tokenizer);
}

}  // namespace nib
