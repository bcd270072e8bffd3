// nib choose -m DIR -p PROMPT --choice A --choice B ... [--mean] [--json]: the log-probability of
// each choice as the continuation of PROMPT, and the probabilities normalised over the choices.
#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace nib::cli {
namespace {

struct ChooseArgs {
  SessionArgs session;
  std::string prompt;
  std::vector<std::string> choices;
  bool mean = false, json = false;
};

Registrar choose_command(33, [](CLI::App& app) {
  auto* cmd = app.add_subcommand("choose", "Probabilities of continuations of a prompt (constrained choice)");
  auto a = std::make_shared<ChooseArgs>();
  add_session_options(*cmd, a->session);
  cmd->add_option("-p,--prompt", a->prompt, "Prompt text")->required();
  cmd->add_option("--choice", a->choices, "A continuation (repeatable)")->required()->allow_extra_args(false);
  cmd->add_flag("--mean", a->mean, "Normalise mean per-token log-probabilities (length normalisation)");
  cmd->add_flag("--json", a->json, "Print one JSON document");
  cmd->callback([a] {
    Session session = open_session(a->session);
    ChooseOptions options;
    options.normalization = a->mean ? LengthNormalization::Mean : LengthNormalization::Sum;
    const auto result = session.choose(a->prompt, a->choices, options);
    if (a->json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& c : result) {
        list.push_back({{"text", c.text},
                        {"tokens", c.tokens},
                        {"logprob", c.logprob},
                        {"mean_logprob", c.mean_logprob},
                        {"probability", c.probability}});
      }
      const nlohmann::json j = {{"normalization", a->mean ? "mean" : "sum"}, {"choices", list}};
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return;
    }
    std::printf("%-12s %-12s %-12s %-7s %s\n", "probability", "logprob", "mean", "tokens", "choice");
    for (const auto& c : result) {
      std::printf("%-12.6f %-12.4f %-12.4f %-7lld %s\n", c.probability, c.logprob, c.mean_logprob,
                  static_cast<long long>(c.tokens), nlohmann::json(c.text).dump().c_str());
    }
  });
});

}  // namespace
}  // namespace nib::cli
