#pragma once
// nib::ChatTemplate — a model's chat template (the `chat_template` of tokenizer_config.json)
// rendered exactly as Hugging Face transformers renders it (jinja2 sandbox, trim_blocks and
// lstrip_blocks, loop controls, `{% generation %}`), by nib's own small Jinja interpreter.
//
// Errors are nib::Error with Status::Format. Syntax and render errors read
// "chat template line N: ..."; a template's own raise_exception("...") yields exactly its
// message as what(), so callers can show or compare it as is.
#include <nib/export.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace nib {

struct Message {
  std::string role;  // "system", "user", "assistant", ...
  std::string content;
};

struct ChatOptions {
  bool add_generation_prompt = false;
  // JSON array of tool schemas for the `tools` variable; empty: `tools` is None.
  std::string tools_json;
  // JSON array for the `documents` variable; empty: `documents` is None.
  std::string documents_json;
  // JSON object whose members become extra variables (e.g. {"date_string": "26 Jul 2024"}).
  std::string variables_json;
  // The time strftime_now() formats (in the local time zone, as Python's datetime.now());
  // unset: the current time.
  std::optional<std::chrono::system_clock::time_point> now;
};

namespace detail {
struct ChatTemplateImpl;
}

// Immutable once built; copies share the parsed template; render() is safe from any thread.
class NIB_API ChatTemplate {
 public:
  // Reads tokenizer_config.json (a folder holding it, or the file itself). `chat_template` may be
  // a string or a list of {"name", "template"}; `name` picks one from the list ("default" also
  // accepts a single string). Special tokens (bos_token, eos_token, unk_token, pad_token,
  // sep_token, cls_token, mask_token, additional_special_tokens) come from the same file; a token
  // stored as {"content": ...} contributes its content; null or absent tokens stay undefined.
  static ChatTemplate from_tokenizer_config(const std::filesystem::path& dir_or_file,
                                            const std::string& name = "default");
  // A template from source; `special_tokens` become variables (e.g. {"bos_token", "<s>"}).
  static ChatTemplate from_source(std::string source, std::map<std::string, std::string> special_tokens = {});

  // Renders the conversation.
  std::string render(std::span<const Message> messages, const ChatOptions& options = {}) const;
  // Renders a JSON array of message objects, which may carry more than role and content
  // (tool_calls, tool_call_id, ...).
  std::string render_json(std::string_view messages_json, const ChatOptions& options = {}) const;

  const std::string& source() const;

 private:
  explicit ChatTemplate(std::shared_ptr<const detail::ChatTemplateImpl> impl);
  std::shared_ptr<const detail::ChatTemplateImpl> impl_;
};

}  // namespace nib
