#pragma once
// Subcommand registry of the `nib` CLI: each cmd_*.cpp registers a setup function that adds its
// CLI::App subcommand and sets its callback.
#include <CLI/CLI.hpp>
#include <nib/options.hpp>
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
// --weights auto|f32|bf16|f16|int8 into options.weights (`options` must outlive the parse).
void add_weights_option(CLI::App& cmd, LoadOptions& options);
// --kv-cache f32|f16 into `kv` (must outlive the parse); kv_cache_name() spells it back.
void add_kv_cache_option(CLI::App& cmd, KvCacheType& kv);
const char* kv_cache_name(KvCacheType kv);

}  // namespace nib::cli

#include <nib/adapter.hpp>

namespace nib {
class Model;
class Session;
struct GenerateOptions;
struct Generation;
}  // namespace nib

namespace nib::cli {

// What every model-running command takes: -m/--model (or $NIB_MODEL), --weights, --adapter
// DIR[:WEIGHT] (repeatable, PEFT LoRA), --threads and --kv-cache. Keep the struct in state the
// callback captures.
struct SessionArgs {
  std::string dir;
  LoadOptions load;
  std::vector<std::string> adapters;
  int threads = 0;
  KvCacheType kv_cache = KvCacheType::F32;
};
void add_session_options(CLI::App& cmd, SessionArgs& args);
// The model of --model (a missing --model is CLI11's "required" error).
Model load_model(const SessionArgs& args);
// The --adapter folders of `args`, loaded against `model`, with their weights.
std::vector<AdapterRef> load_adapters(const Model& model, const SessionArgs& args);
// A session on `model` with the threads, KV cache type and adapters of `args`.
Session open_session(const Model& model, const SessionArgs& args);
Session open_session(const SessionArgs& args);

}  // namespace nib::cli

namespace nib::cli {

// -n, sampling flags, --stop, --ignore-eos (generate, chat). `options` must outlive the parse:
// keep it in state the subcommand's callback captures.
void add_generate_options(CLI::App& cmd, GenerateOptions& options);
// {"prompt_ids", "ids", "text", "stats"} of `nib generate --json`.
nlohmann::json generation_json(const Generation& g);

}  // namespace nib::cli
