// nib::ChatTemplate: tokenizer_config.json -> the model's chat template -> rendered prompt,
// with the variables transformers' apply_chat_template passes.
#include <nib/chat.hpp>
#include <nib/error.hpp>

#include "io/json.hpp"
#include "text/jinja/json.hpp"
#include "text/jinja/template.hpp"

namespace nib {

namespace detail {
struct ChatTemplateImpl {
  std::string source;
  jinja::Template parsed;
  std::vector<std::pair<std::string, jinja::Value>> special_tokens;
};
}  // namespace detail

namespace {

// transformers' SPECIAL_TOKENS_ATTRIBUTES: what special_tokens_map hands to the template.
constexpr const char* kSpecialTokenKeys[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                                             "pad_token", "cls_token", "mask_token"};

// A token is a string or an AddedToken dict {"content": ...}.
std::optional<std::string> token_text(const io::Json& j, const io::JsonView& where, std::string_view key) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object()) {
    auto it = j.find("content");
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  if (j.is_null()) return std::nullopt;
  where.fail(key, "expected a token string or {\"content\": ...}");
}

std::vector<std::pair<std::string, jinja::Value>> read_special_tokens(const io::JsonView& config) {
  std::vector<std::pair<std::string, jinja::Value>> out;
  for (const char* key : kSpecialTokenKeys) {
    auto it = config.json().find(key);
    if (it == config.json().end()) continue;
    if (auto text = token_text(*it, config, key)) out.emplace_back(key, jinja::Value(*text));
  }
  auto extra = config.json().find("additional_special_tokens");
  if (extra != config.json().end() && !extra->is_null()) {
    if (!extra->is_array()) config.fail("additional_special_tokens", "expected an array");
    jinja::List tokens;
    for (auto& t : *extra) {
      if (auto text = token_text(t, config, "additional_special_tokens")) tokens.emplace_back(*text);
    }
    out.emplace_back("additional_special_tokens", jinja::make_list(std::move(tokens)));
  }
  return out;
}

std::string pick_template(const io::JsonView& config, const std::string& name) {
  auto it = config.json().find("chat_template");
  if (it == config.json().end() || it->is_null()) {
    throw Error(Status::Unsupported, config.where() + ": no chat_template");
  }
  if (it->is_string()) {
    if (name != "default")
      config.fail("chat_template", "holds a single template, not one named '" + name + "'");
    return it->get<std::string>();
  }
  if (!it->is_array()) config.fail("chat_template", "expected a string or a list of {name, template}");
  std::string names;
  for (auto& entry : *it) {
    if (!entry.is_object() || !entry.contains("name") || !entry.contains("template") ||
        !entry["name"].is_string() || !entry["template"].is_string()) {
      config.fail("chat_template", "list entries must be {\"name\": string, \"template\": string}");
    }
    if (entry["name"] == name) return entry["template"].get<std::string>();
    names += (names.empty() ? "" : ", ") + entry["name"].get<std::string>();
  }
  config.fail("chat_template", "no template named '" + name + "' (available: " + names + ")");
}

}  // namespace

ChatTemplate::ChatTemplate(std::shared_ptr<const detail::ChatTemplateImpl> impl) : impl_(std::move(impl)) {}

ChatTemplate ChatTemplate::from_tokenizer_config(const std::filesystem::path& dir_or_file,
                                                 const std::string& name) {
  auto path =
      std::filesystem::is_directory(dir_or_file) ? dir_or_file / "tokenizer_config.json" : dir_or_file;
  io::Json json = io::read_json_file(path);
  io::JsonView config(json, path.string());
  std::string source = pick_template(config, name);
  auto tokens = read_special_tokens(config);
  return ChatTemplate(std::make_shared<const detail::ChatTemplateImpl>(
      detail::ChatTemplateImpl{source, jinja::Template(source), std::move(tokens)}));
}

ChatTemplate ChatTemplate::from_source(std::string source,
                                       std::map<std::string, std::string> special_tokens) {
  std::vector<std::pair<std::string, jinja::Value>> tokens;
  for (auto& [k, v] : special_tokens) tokens.emplace_back(k, jinja::Value(v));
  jinja::Template parsed(source);
  return ChatTemplate(std::make_shared<const detail::ChatTemplateImpl>(
      detail::ChatTemplateImpl{std::move(source), std::move(parsed), std::move(tokens)}));
}

namespace {
jinja::Value optional_json(const std::string& text, const char* what) {
  if (text.empty()) return jinja::None{};
  return jinja::parse_json_value(text, what);
}

std::string render_value(const detail::ChatTemplateImpl& impl, jinja::Value messages,
                         const ChatOptions& options) {
  std::vector<std::pair<std::string, jinja::Value>> vars;
  vars.emplace_back("messages", std::move(messages));
  vars.emplace_back("tools", optional_json(options.tools_json, "chat options: tools"));
  vars.emplace_back("documents", optional_json(options.documents_json, "chat options: documents"));
  vars.emplace_back("add_generation_prompt", options.add_generation_prompt);
  for (auto& t : impl.special_tokens) vars.push_back(t);
  if (!options.variables_json.empty()) {
    auto extra = jinja::parse_json_value(options.variables_json, "chat options: variables");
    if (!extra.is_dict())
      throw Error(Status::InvalidArgument, "chat options: variables must be a JSON object");
    for (auto& [k, v] : extra.as_dict().items) vars.emplace_back(k.as_string(), v);
  }
  return impl.parsed.render(vars, options.now.value_or(std::chrono::system_clock::now()));
}
}  // namespace

std::string ChatTemplate::render(std::span<const Message> messages, const ChatOptions& options) const {
  jinja::List list;
  for (auto& m : messages) {
    jinja::Dict d;
    d.set("role", m.role);
    d.set("content", m.content);
    list.push_back(jinja::make_dict(std::move(d)));
  }
  return render_value(*impl_, jinja::make_list(std::move(list)), options);
}

std::string ChatTemplate::render_json(std::string_view messages_json, const ChatOptions& options) const {
  auto messages = jinja::parse_json_value(messages_json, "messages");
  if (!messages.is_list()) throw Error(Status::InvalidArgument, "messages must be a JSON array");
  return render_value(*impl_, std::move(messages), options);
}

const std::string& ChatTemplate::source() const {
  return impl_->source;
}

}  // namespace nib
