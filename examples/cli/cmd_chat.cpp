// nib chat -m DIR [--system TEXT] [-n N] [sampling flags]: an interactive conversation. Each stdin
// line is a user turn; the reply streams to stdout followed by a newline. One Session holds the
// whole history, so every turn reuses the cached earlier ones. Works with stdin from a pipe (the
// "> " prompt is only shown on a terminal); an empty line is skipped, end of input ends the chat.
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <unistd.h>

#include <iostream>
#include <string>

#include "command.hpp"

namespace nib::cli {
namespace {

struct ChatArgs {
  SessionArgs session;
  std::string system;
  GenerateOptions options;
};

Registrar chat_command(32, [](CLI::App& app) {
  auto* cmd = app.add_subcommand("chat", "Chat with a causal language model (user turns from stdin)");
  auto a = std::make_shared<ChatArgs>();
  add_session_options(*cmd, a->session);
  cmd->add_option("--system", a->system, "System message");
  add_generate_options(*cmd, a->options);
  cmd->callback([a] {
    Session session = open_session(a->session);
    std::vector<Message> history;
    if (!a->system.empty()) history.push_back({"system", a->system});
    const bool terminal = isatty(STDIN_FILENO) != 0;
    const StreamFn stream = [](std::string_view piece) {
      std::cout << piece << std::flush;
      return true;
    };
    std::string line;
    while (true) {
      if (terminal) std::cout << "> " << std::flush;
      if (!std::getline(std::cin, line)) break;
      if (line.empty()) continue;
      history.push_back({"user", line});
      Generation g = session.chat(history, a->options, stream);
      std::cout << "\n" << std::flush;
      history.push_back({"assistant", g.text});
    }
  });
});

}  // namespace
}  // namespace nib::cli
