// nib embed -m DIR [--pooling mean|cls|last] [--normalize] TEXT: {"embedding":[...]}. Without
// --pooling, a sentence-transformers folder's own pooling (and Normalize module) applies, else mean.
// Causal LMs pool their final hidden states by mean or last token.
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace nib::cli {
namespace {

Registrar embed_command(42, [](CLI::App& app) {
  auto* cmd =
      app.add_subcommand("embed", "Sentence embedding of a text (encoders; causal LMs: mean or last)");
  auto args = std::make_shared<SessionArgs>();
  auto text = std::make_shared<std::string>();
  auto pooling = std::make_shared<Pooling>(Pooling::Auto);
  auto normalize = std::make_shared<bool>(false);
  add_session_options(*cmd, *args);
  cmd->add_option("--pooling", *pooling, "mean, cls or last (default: the folder's, else mean)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Pooling>{
          {"mean", Pooling::Mean}, {"cls", Pooling::Cls}, {"last", Pooling::LastToken}}));
  cmd->add_flag("--normalize", *normalize, "L2-normalise the embedding");
  cmd->add_option("text", *text, "Text to embed")->required();
  cmd->callback([args, text, pooling, normalize] {
    Session session = open_session(*args);
    std::cout << nlohmann::json{{"embedding", session.embed(*text, {*pooling, *normalize})}}.dump() << "\n";
  });
});

}  // namespace
}  // namespace nib::cli
