// nib logits -m DIR -p TEXT [--positions last|all|i,j,k] --json: next-token logits of a causal LM
// after the requested positions of the encoded prompt.
#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command.hpp"

namespace nib::cli {
namespace {

std::vector<std::int64_t> parse_positions(const std::string& spec, std::int64_t n) {
  std::vector<std::int64_t> out;
  if (spec == "last") {
    out.push_back(n - 1);
  } else if (spec == "all") {
    for (std::int64_t i = 0; i < n; ++i) out.push_back(i);
  } else {
    std::stringstream ss(spec);
    std::string item;
    while (std::getline(ss, item, ',')) {
      std::size_t used = 0;
      std::int64_t p = -1;
      try {
        p = std::stoll(item, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != item.size()) {
        throw Error(Status::InvalidArgument,
                    "--positions: \"" + item + "\" is not last, all or an index list");
      }
      out.push_back(p < 0 ? n + p : p);  // negative indices count from the end
    }
  }
  return out;
}

Registrar logits_command(31, [](CLI::App& app) {
  auto* cmd = app.add_subcommand("logits", "Next-token logits of a causal language model");
  auto args = std::make_shared<SessionArgs>();
  auto prompt = std::make_shared<std::string>();
  auto positions = std::make_shared<std::string>("last");
  auto no_special = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  add_session_options(*cmd, *args);
  cmd->add_option("-p,--prompt", *prompt, "Prompt text")->required();
  cmd->add_option("--positions", *positions, "last, all, or comma-separated indices")->capture_default_str();
  cmd->add_flag("--no-special", *no_special, "Do not add BOS or other special tokens");
  cmd->add_flag("--json", *json, "Print one JSON document (the only output format)");
  // json is captured although unused: CLI11 writes the flag through it after this setup returns.
  cmd->callback([args, prompt, positions, no_special, json] {
    auto model = load_model(*args);
    auto ids = model.tokenizer().encode(*prompt, !*no_special).ids;
    if (ids.empty()) throw Error(Status::InvalidArgument, "the prompt encodes to no tokens");
    auto pos = parse_positions(*positions, static_cast<std::int64_t>(ids.size()));
    Session session = open_session(model, *args);
    auto logits = session.logits(ids, pos);
    nlohmann::json by_pos = nlohmann::json::object();
    for (std::size_t i = 0; i < pos.size(); ++i) by_pos[std::to_string(pos[i])] = logits[i];
    std::cout << nlohmann::json{{"ids", ids}, {"logits", by_pos}}.dump() << "\n";
  });
});

}  // namespace
}  // namespace nib::cli
