// nib generate -m DIR -p TEXT [-n N] [--temperature T] [--top-k K] [--top-p P] [--min-p P]
//   [--repeat-penalty R] [--seed S] [--stop STR]... [--chat [--system TEXT]] [--json]: streams the
//   continuation of TEXT; with --chat, the reply to TEXT as the user message of the model's chat
//   template.
#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace nib::cli {
namespace {

struct Args {
  SessionArgs session;
  std::string prompt, system;
  GenerateOptions options;
  bool json = false;
  bool no_special = false;
  bool chat = false;
};

Registrar generate_command(30, [](CLI::App& app) {
  auto* cmd = app.add_subcommand("generate", "Continue a prompt with a causal language model");
  auto a = std::make_shared<Args>();
  add_session_options(*cmd, a->session);
  cmd->add_option("-p,--prompt", a->prompt, "Prompt text")->required();
  add_generate_options(*cmd, a->options);
  cmd->add_flag("--no-special", a->no_special, "Do not add BOS or other special tokens to the prompt");
  cmd->add_flag("--chat", a->chat, "The prompt is the user message of the model's chat template");
  cmd->add_option("--system", a->system, "System message (with --chat)");
  cmd->add_flag("--json", a->json, "Print one JSON document instead of streaming");
  cmd->callback([a] {
    if (!a->chat && !a->system.empty()) throw Error(Status::InvalidArgument, "--system needs --chat");
    a->options.add_special_tokens = !a->no_special;
    Session session = open_session(a->session);
    StreamFn stream;
    if (!a->json) {
      stream = [](std::string_view piece) {
        std::cout << piece << std::flush;
        return true;
      };
    }
    Generation g;
    if (a->chat) {
      std::vector<Message> messages;
      if (!a->system.empty()) messages.push_back({"system", a->system});
      messages.push_back({"user", a->prompt});
      g = session.chat(messages, a->options, stream);
    } else {
      g = session.generate(a->prompt, a->options, stream);
    }
    if (a->json) {
      std::cout << generation_json(g).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      std::cout << "\n";
    }
  });
});

}  // namespace
}  // namespace nib::cli
