// The generation flags shared by `nib generate` and `nib chat`, and the JSON of a Generation.
#include <nib/session.hpp>

#include "command.hpp"

namespace nib::cli {

void add_generate_options(CLI::App& cmd, GenerateOptions& o) {
  cmd.add_option("-n,--max-new-tokens", o.max_new_tokens, "Tokens to generate")->capture_default_str();
  cmd.add_option("--temperature", o.sampling.temperature, "0: greedy")->capture_default_str();
  cmd.add_option("--top-k", o.sampling.top_k, "0: off");
  cmd.add_option("--top-p", o.sampling.top_p, "1: off");
  cmd.add_option("--min-p", o.sampling.min_p, "0: off");
  cmd.add_option("--repeat-penalty", o.sampling.repetition_penalty, "1: off");
  cmd.add_option("--presence-penalty", o.sampling.presence_penalty, "0: off");
  cmd.add_option("--frequency-penalty", o.sampling.frequency_penalty, "0: off");
  cmd.add_option("--seed", o.sampling.seed, "Random seed");
  cmd.add_option("--stop", o.stop, "Stop string (repeatable)");
  cmd.add_flag(
      "--ignore-eos", [&o](std::int64_t) { o.stop_at_eos = false; }, "Do not stop at EOS");
}

nlohmann::json generation_json(const Generation& g) {
  const auto& s = g.stats;
  const nlohmann::json stats = {
      {"prompt_tokens", s.prompt_tokens},
      {"reused_tokens", s.reused_tokens},
      {"generated_tokens", s.generated_tokens},
      {"prefill_ms", s.prefill_ms},
      {"decode_ms", s.decode_ms},
      {"decode_tok_s",
       s.decode_ms > 0 ? 1000.0 * static_cast<double>(s.generated_tokens) / s.decode_ms : 0.0},
      {"stop_reason", stop_reason_name(g.stop_reason)}};
  return {{"prompt_ids", g.prompt_ids}, {"ids", g.ids}, {"text", g.text}, {"stats", stats}};
}

}  // namespace nib::cli
