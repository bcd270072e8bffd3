// Chat templates of a tokenizer's folder.
#include "chat_options.hpp"
#include "guard.hpp"
#include "handles.hpp"

using nib::capi::guard;
using nib::capi::need;

NIB_CAPI_NO_TAIL_PADDING(nib_chat_options, variables_json);

namespace nib::capi {

nib_chat_options default_chat_options() {
  nib_chat_options o{};
  o.struct_size = sizeof o;
  return o;
}

nib::ChatOptions chat_options_to_cpp(const nib_chat_options& o) {
  nib::ChatOptions c;
  c.add_generation_prompt = o.add_generation_prompt != 0;
  if (o.tools_json) c.tools_json = o.tools_json;
  if (o.documents_json) c.documents_json = o.documents_json;
  if (o.variables_json) c.variables_json = o.variables_json;
  return c;
}

}  // namespace nib::capi

namespace {

using nib::capi::default_chat_options;

struct Resolved {
  nib::ChatTemplate chat_template;
  nib::ChatOptions options;
};

// The named template (parsed once per tokenizer handle) and the C++ options.
Resolved resolve(const nib_tokenizer* tokenizer, const nib_chat_options* options) {
  const nib_tokenizer& t = *need(tokenizer, "tokenizer");
  const nib_chat_options o = nib::capi::read_options(options, default_chat_options(), "options");
  const std::string name = o.template_name ? o.template_name : "default";
  std::unique_lock lock(t.mutex);
  auto it = t.templates.find(name);
  if (it == t.templates.end())
    it = t.templates.emplace(name, nib::ChatTemplate::from_tokenizer_config(t.dir, name)).first;
  return {it->second, nib::capi::chat_options_to_cpp(o)};
}

}  // namespace

extern "C" {

nib_status nib_chat_options_init(nib_chat_options* options) {
  return guard(__func__, [&] { *need(options, "options") = default_chat_options(); });
}

nib_status nib_chat_render(const nib_tokenizer* tokenizer, const nib_message* messages, size_t count,
                           const nib_chat_options* options, char** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    if (!messages && count) nib::capi::invalid("messages is NULL");
    std::vector<nib::Message> list;
    list.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (!messages[i].role || !messages[i].content)
        nib::capi::invalid("messages[" + std::to_string(i) + "] has a NULL role or content");
      list.push_back({messages[i].role, messages[i].content});
    }
    const Resolved r = resolve(tokenizer, options);
    *out = nib::capi::copy_string(r.chat_template.render(list, r.options));
  });
}

nib_status nib_chat_render_json(const nib_tokenizer* tokenizer, const char* messages_json,
                                const nib_chat_options* options, char** out) {
  return guard(__func__, [&] {
    need(out, "out");
    *out = nullptr;
    need(messages_json, "messages_json");
    const Resolved r = resolve(tokenizer, options);
    *out = nib::capi::copy_string(r.chat_template.render_json(messages_json, r.options));
  });
}
}
