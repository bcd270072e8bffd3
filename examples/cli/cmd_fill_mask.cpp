// nib fill-mask -m DIR [-k K] TEXT: the top-k fillings of the text's one mask token as a JSON array
// of {"id","token","sequence","score","logit"}.
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace nib::cli {
namespace {

Registrar reg(41, [](CLI::App& app) {
  auto* cmd = app.add_subcommand("fill-mask", "Fill the mask token of a text with a masked-LM model");
  auto dir = std::make_shared<std::string>();
  auto text = std::make_shared<std::string>();
  auto k = std::make_shared<int>(5);
  add_model_option(*cmd, *dir);
  auto adapters = std::make_shared<std::vector<std::string>>();
  add_adapter_option(*cmd, *adapters);
  cmd->add_option("-k", *k, "Number of fillings")->capture_default_str();
  cmd->add_option("text", *text, "Text with one mask token")->required();
  cmd->callback([dir, text, k, adapters] {
    if (dir->empty()) throw CLI::RequiredError("--model");
    Session session(Model::load(*dir));
    apply_adapters(session, *adapters);
    auto out = nlohmann::json::array();
    for (const auto& f : session.fill_mask(*text, *k)) {
      out.push_back({{"id", f.id},
                     {"token", f.token},
                     {"sequence", f.sequence},
                     {"score", f.score},
                     {"logit", f.logit}});
    }
    std::cout << out.dump() << "\n";
  });
});

}  // namespace
}  // namespace nib::cli
