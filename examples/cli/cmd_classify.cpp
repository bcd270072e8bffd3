// nib classify -m DIR [--head DIR] [--jsonl] [TEXT...]: one JSON line per text,
// {"label":...,"scores":{label:p},"logits":[...]}; --jsonl reads one JSON string per stdin line.
// With --head, a task head trained by `nib train-head` (on this model) gives the labels.
#include <nib/head.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace nib::cli {
namespace {

Registrar classify_command(40, [](CLI::App& app) {
  auto* cmd = app.add_subcommand("classify", "Classify texts with a sequence-classification model");
  auto args = std::make_shared<SessionArgs>();
  auto texts = std::make_shared<std::vector<std::string>>();
  auto jsonl = std::make_shared<bool>(false);
  add_session_options(*cmd, *args);
  auto head = std::make_shared<std::string>();
  cmd->add_option("--head", *head, "Task head folder written by `nib train-head` for this model");
  cmd->add_flag("--jsonl", *jsonl, "Read texts from stdin, one JSON string per line");
  cmd->add_option("text", *texts, "Texts to classify");
  cmd->callback([args, texts, jsonl, head] {
    if (*jsonl) {
      for (std::string line; std::getline(std::cin, line);) {
        if (!line.empty()) texts->push_back(nlohmann::json::parse(line).get<std::string>());
      }
    }
    Session session = open_session(*args);
    if (!head->empty()) session.set_head(Head::load(*head, session.model()));
    for (const auto& c : session.classify(*texts)) {
      nlohmann::json scores = nlohmann::json::object();
      for (std::size_t i = 0; i < c.labels.size() && i < c.scores.size(); ++i)
        scores[c.labels[i]] = c.scores[i];
      std::cout << nlohmann::json{{"label", c.label}, {"scores", scores}, {"logits", c.logits}}.dump()
                << "\n";
    }
  });
});

}  // namespace
}  // namespace nib::cli
