// nib render -m DIR --messages FILE [--add-generation-prompt]: the model's chat template applied
// to a JSON array of messages, printed as is (a folder with only tokenizer_config.json is enough).
#include <nib/chat.hpp>
#include <nib/error.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "command.hpp"

namespace nib::cli {
namespace {

std::string read_text(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Status::Io, "cannot open " + path);
  text << in.rdbuf();
  return text.str();
}

struct RenderArgs {
  std::string dir, messages, tools, variables, template_name = "default";
  bool add_generation_prompt = false;
};

Registrar render_command(60, [](CLI::App& app) {
  auto* cmd =
      app.add_subcommand("render", "Apply the model's chat template to messages and print the prompt");
  auto args = std::make_shared<RenderArgs>();
  add_model_option(*cmd, args->dir);
  cmd->add_option("--messages", args->messages, "JSON file with an array of {role, content} ('-': stdin)")
      ->required();
  cmd->add_flag("--add-generation-prompt", args->add_generation_prompt,
                "End with the assistant turn's opening");
  cmd->add_option("--tools", args->tools, "JSON file with an array of tool schemas");
  cmd->add_option("--vars", args->variables, "JSON file with an object of extra template variables");
  cmd->add_option("--template", args->template_name, "Named template when chat_template is a list");
  cmd->callback([args] {
    if (args->dir.empty()) throw CLI::RequiredError("--model");
    auto tmpl = ChatTemplate::from_tokenizer_config(args->dir, args->template_name);
    ChatOptions options;
    options.add_generation_prompt = args->add_generation_prompt;
    if (!args->tools.empty()) options.tools_json = read_text(args->tools);
    if (!args->variables.empty()) options.variables_json = read_text(args->variables);
    std::cout << tmpl.render_json(read_text(args->messages), options) << std::flush;
  });
});

}  // namespace
}  // namespace nib::cli
