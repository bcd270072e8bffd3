// nib fill-mask -m DIR [-k K] TEXT: the top-k fillings of the text's one mask token as a JSON array
// of {"id","token","sequence","score","logit"}.
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace nib::cli {
namespace {

Registrar fill_mask_command(41, [](CLI::App& app) {
  auto* cmd = app.add_subcommand("fill-mask", "Fill the mask token of a text with a masked-LM model");
  auto args = std::make_shared<SessionArgs>();
  auto text = std::make_shared<std::string>();
  auto k = std::make_shared<int>(5);
  add_session_options(*cmd, *args);
  cmd->add_option("-k", *k, "Number of fillings")->capture_default_str();
  cmd->add_option("text", *text, "Text with one mask token")->required();
  cmd->callback([args, text, k] {
    Session session = open_session(*args);
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
