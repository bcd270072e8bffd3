#pragma once
// Subcommand registry of the `nib` CLI: each cmd_*.cpp registers a setup function that adds its
// CLI::App subcommand and sets its callback.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace nib::cli {

using Setup = std::function<void(CLI::App& app)>;

struct Registrar {
  Registrar(int order, Setup setup);
};

// Model folder: -m/--model, falling back to $NIB_MODEL.
void add_model_option(CLI::App& cmd, std::string& dir);

}  // namespace nib::cli

namespace nib {
class Session;
struct GenerateOptions;
struct Generation;
}  // namespace nib

namespace nib::cli {

// --adapter DIR[:WEIGHT] (repeatable): PEFT LoRA adapters applied to the command's session.
void add_adapter_option(CLI::App& cmd, std::vector<std::string>& specs);
void apply_adapters(Session& session, const std::vector<std::string>& specs);

}  // namespace nib::cli

namespace nib::cli {

// -n, sampling flags, --stop, --ignore-eos (generate, chat). `options` must outlive the parse:
// keep it in state the subcommand's callback captures.
void add_generate_options(CLI::App& cmd, GenerateOptions& options);
// {"prompt_ids", "ids", "text", "stats"} of `nib generate --json`.
nlohmann::json generation_json(const Generation& g);

}  // namespace nib::cli
