// nib info -m DIR [--json]: what a model folder holds.
#include <nib/model.hpp>

#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace nib::cli {
namespace {

nlohmann::json info_json(const ModelInfo& i) {
  return {{"path", i.path.string()},
          {"architecture", i.architecture},
          {"model_type", i.model_type},
          {"kind", kind_name(i.kind)},
          {"head", head_name(i.head)},
          {"hidden_size", i.hidden_size},
          {"num_layers", i.num_layers},
          {"num_heads", i.num_heads},
          {"num_kv_heads", i.num_kv_heads},
          {"head_dim", i.head_dim},
          {"intermediate_size", i.intermediate_size},
          {"vocab_size", i.vocab_size},
          {"context_length", i.max_positions},
          {"parameter_count", i.parameter_count},
          {"dtypes", i.dtypes},
          {"labels", i.labels},
          {"problem_type", i.problem_type},
          {"tokenizer", i.tokenizer_kind}};
}

Registrar info_command(10, [](CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Describe a model folder");
  auto dir = std::make_shared<std::string>();
  auto load = std::make_shared<LoadOptions>();
  auto json = std::make_shared<bool>(false);
  add_model_option(*cmd, *dir);
  add_weights_option(*cmd, *load);
  cmd->add_flag("--json", *json, "Print one JSON document");
  cmd->callback([dir, load, json] {
    if (dir->empty()) throw CLI::RequiredError("--model");
    auto model = Model::load(*dir, *load);
    auto j = info_json(model.info());
    if (*json) {
      std::cout << j.dump() << "\n";
      return;
    }
    for (auto& [k, v] : j.items())
      std::cout << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  });
});

}  // namespace
}  // namespace nib::cli
