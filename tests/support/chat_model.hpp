#pragma once
// A shared causal model copied to a scratch folder whose tokenizer_config.json gains a chat
// template (none of the shared causal models ships one).
#include <filesystem>
#include <string>

namespace nib::test {

// Writes bos_token, each message as "<|role|>\ncontent" (eos_token after assistant turns) and,
// with add_generation_prompt, "<|assistant|>\n".
extern const char* const kTestChatTemplate;

// models/<folder> copied to scratch_dir(name) with kTestChatTemplate as its chat_template.
std::filesystem::path chat_model_folder(const std::string& folder, const std::string& name);

}  // namespace nib::test
