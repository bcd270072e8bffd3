#pragma once
// Subcommand registry of the `nib` CLI: each cmd_*.cpp registers a setup function that adds its
// CLI::App subcommand and sets its callback.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace nib::cli {

using Setup = std::function<void(CLI::App& app)>;

struct Registrar {
  Registrar(int order, Setup setup);
};

// Model folder: -m/--model, falling back to $NIB_MODEL.
void add_model_option(CLI::App& cmd, std::string& dir);

}  // namespace nib::cli
