// The options every command that runs a model shares (-m, --weights, --adapter, --threads, --kv-cache)
// and the one place that turns them into a ready Session.
#include <nib/adapter.hpp>
#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <filesystem>
#include <map>
#include <string>

#include "command.hpp"

namespace nib::cli {
namespace {

// DIR[:WEIGHT] -> the loaded adapter and its weight.
AdapterRef parse_adapter(const Model& model, const std::string& spec) {
  std::string dir = spec;
  float weight = 1.f;
  // DIR:WEIGHT unless DIR itself exists (folder names may contain ':').
  if (auto colon = spec.rfind(':'); colon != std::string::npos && !std::filesystem::exists(spec)) {
    dir = spec.substr(0, colon);
    try {
      std::size_t used = 0;
      weight = std::stof(spec.substr(colon + 1), &used);
      if (used != spec.size() - colon - 1) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      throw Error(Status::InvalidArgument, "--adapter " + spec + ": the weight after ':' is not a number");
    }
  }
  return {Adapter::load(model, dir), weight};
}

}  // namespace

void add_weights_option(CLI::App& cmd, LoadOptions& options) {
  static const std::map<std::string, WeightType> names = {
      {"auto", WeightType::Auto}, {"f32", WeightType::F32},   {"bf16", WeightType::BF16},
      {"f16", WeightType::F16},   {"int8", WeightType::Int8}, {"int4", WeightType::Int4}};
  cmd.add_option("--weights", options.weights,
                 "Weight storage: auto (f32), f32, bf16, f16 (16-bit checkpoints of that type are used as "
                 "shipped), int8, int4 (quantised at load)")
      ->transform(CLI::CheckedTransformer(names, CLI::ignore_case));
}

void add_kv_cache_option(CLI::App& cmd, KvCacheType& kv) {
  static const std::map<std::string, KvCacheType> names = {{"f32", KvCacheType::F32},
                                                           {"f16", KvCacheType::F16}};
  cmd.add_option("--kv-cache", kv,
                 "KV cache element type of causal LMs: f32 (default) or f16 (half the memory; keys and "
                 "values rounded to half precision)")
      ->transform(CLI::CheckedTransformer(names, CLI::ignore_case));
}

const char* kv_cache_name(KvCacheType kv) {
  return kv == KvCacheType::F16 ? "f16" : "f32";
}

void add_session_options(CLI::App& cmd, SessionArgs& args) {
  add_model_option(cmd, args.dir);
  add_weights_option(cmd, args.load);
  cmd.add_option("--adapter", args.adapters,
                 "LoRA adapter folder (PEFT layout), optionally DIR:WEIGHT; repeatable")
      ->allow_extra_args(false);  // one folder per --adapter, so positional texts stay texts
  cmd.add_option("--threads", args.threads, "Threads (0: all cores)");
  add_kv_cache_option(cmd, args.kv_cache);
}

Model load_model(const SessionArgs& args) {
  if (args.dir.empty()) throw CLI::RequiredError("--model");
  return Model::load(args.dir, args.load);
}

std::vector<AdapterRef> load_adapters(const Model& model, const SessionArgs& args) {
  std::vector<AdapterRef> refs;
  for (const auto& spec : args.adapters) refs.push_back(parse_adapter(model, spec));
  return refs;
}

Session open_session(const Model& model, const SessionArgs& args) {
  SessionOptions so;
  so.threads = args.threads;
  so.kv_cache = args.kv_cache;
  Session session(model, so);
  if (!args.adapters.empty()) session.use_adapters(load_adapters(model, args));
  return session;
}

Session open_session(const SessionArgs& args) {
  return open_session(load_model(args), args);
}

}  // namespace nib::cli
