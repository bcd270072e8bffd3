// nib generate -m DIR -p TEXT [-n N] [--temperature T] [--top-k K] [--top-p P] [--min-p P]
//   [--repeat-penalty R] [--seed S] [--stop STR]... [--json]: streams the continuation of TEXT.
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace nib::cli {
namespace {

struct Args {
  std::string dir, prompt;
  std::vector<std::string> adapters;
  GenerateOptions options;
  bool json = false;
  bool no_special = false;
  int threads = 0;
};

nlohmann::json stats_json(const Generation& g) {
  const auto& s = g.stats;
  return {{"prompt_tokens", s.prompt_tokens},
          {"reused_tokens", s.reused_tokens},
          {"generated_tokens", s.generated_tokens},
          {"prefill_ms", s.prefill_ms},
          {"decode_ms", s.decode_ms},
          {"decode_tok_s",
           s.decode_ms > 0 ? 1000.0 * static_cast<double>(s.generated_tokens) / s.decode_ms : 0.0},
          {"stop_reason", stop_reason_name(g.stop_reason)}};
}

Registrar reg(30, [](CLI::App& app) {
  auto* cmd = app.add_subcommand("generate", "Continue a prompt with a causal language model");
  auto a = std::make_shared<Args>();
  auto& o = a->options;
  add_model_option(*cmd, a->dir);
  add_adapter_option(*cmd, a->adapters);
  cmd->add_option("-p,--prompt", a->prompt, "Prompt text")->required();
  cmd->add_option("-n,--max-new-tokens", o.max_new_tokens, "Tokens to generate")->capture_default_str();
  cmd->add_option("--temperature", o.sampling.temperature, "0: greedy")->capture_default_str();
  cmd->add_option("--top-k", o.sampling.top_k, "0: off");
  cmd->add_option("--top-p", o.sampling.top_p, "1: off");
  cmd->add_option("--min-p", o.sampling.min_p, "0: off");
  cmd->add_option("--repeat-penalty", o.sampling.repetition_penalty, "1: off");
  cmd->add_option("--presence-penalty", o.sampling.presence_penalty, "0: off");
  cmd->add_option("--frequency-penalty", o.sampling.frequency_penalty, "0: off");
  cmd->add_option("--seed", o.sampling.seed, "Random seed");
  cmd->add_option("--stop", o.stop, "Stop string (repeatable)");
  cmd->add_flag(
      "--ignore-eos", [a](std::int64_t) { a->options.stop_at_eos = false; }, "Do not stop at EOS");
  cmd->add_flag("--no-special", a->no_special, "Do not add BOS or other special tokens to the prompt");
  cmd->add_option("--threads", a->threads, "Threads (0: all cores)");
  cmd->add_flag("--json", a->json, "Print one JSON document instead of streaming");
  cmd->callback([a] {
    if (a->dir.empty()) throw CLI::RequiredError("--model");
    a->options.add_special_tokens = !a->no_special;
    auto model = Model::load(a->dir);
    SessionOptions so;
    so.threads = a->threads;
    Session session(model, so);
    apply_adapters(session, a->adapters);
    StreamFn stream;
    if (!a->json) {
      stream = [](std::string_view piece) {
        std::cout << piece << std::flush;
        return true;
      };
    }
    Generation g = session.generate(a->prompt, a->options, stream);
    if (a->json) {
      nlohmann::json j = {
          {"prompt_ids", g.prompt_ids}, {"ids", g.ids}, {"text", g.text}, {"stats", stats_json(g)}};
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      std::cout << "\n";
    }
  });
});

}  // namespace
}  // namespace nib::cli
