#include "chat_model.hpp"

#include <nlohmann/json.hpp>

#include "file_builders.hpp"
#include "shared_data.hpp"

namespace nib::test {

const char* const kTestChatTemplate =
    "{{ bos_token }}{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}"
    "{{ eos_token if m.role == 'assistant' else '' }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

std::filesystem::path chat_model_folder(const std::string& folder, const std::string& name) {
  const auto dir = scratch_dir(name);
  copy_model_folder(shared_path("models/" + folder), dir);
  auto config = nlohmann::json::parse(read_file(dir / "tokenizer_config.json"));
  config["chat_template"] = kTestChatTemplate;
  write_file(dir / "tokenizer_config.json", config.dump());
  return dir;
}

}  // namespace nib::test
