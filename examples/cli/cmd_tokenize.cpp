// nib tokenize -m DIR [--no-special] [--pair] | --decode [--skip-special] [--cleanup]
// Reads one JSON value per stdin line (a string, a [text, text_pair] array with --pair, or an id
// array with --decode) and writes one JSON object per line.
#include <nib/tokenizer.hpp>

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "command.hpp"

namespace nib::cli {
namespace {

struct TokenizeArgs {
  std::string dir;
  bool no_special = false, pair = false, decode = false, skip_special = false, cleanup = false, json = false;
};

nlohmann::json encode_line(const Tokenizer& tok, const nlohmann::json& in, const TokenizeArgs& a) {
  Encoding e;
  if (a.pair) {
    if (!in.is_array() || in.size() != 2 || !in[0].is_string() || !in[1].is_string()) {
      throw std::runtime_error("expected a JSON array [text, text_pair]");
    }
    e = tok.encode_pair(in[0].get<std::string>(), in[1].get<std::string>(), !a.no_special);
  } else {
    if (!in.is_string()) throw std::runtime_error("expected a JSON string");
    e = tok.encode(in.get<std::string>(), !a.no_special);
  }
  nlohmann::json out = {{"ids", e.ids}, {"tokens", e.tokens}};
  if (a.pair) out["type_ids"] = e.type_ids;
  return out;
}

nlohmann::json decode_line(const Tokenizer& tok, const nlohmann::json& in, const TokenizeArgs& a) {
  if (!in.is_array()) throw std::runtime_error("expected a JSON array of token ids");
  std::vector<TokenId> ids;
  for (const auto& v : in) {
    if (!v.is_number_integer()) throw std::runtime_error("expected a JSON array of token ids");
    ids.push_back(v.get<TokenId>());
  }
  return {{"text", tok.decode(ids, a.skip_special, a.cleanup)}};
}

Registrar tokenize_command(20, [](CLI::App& app) {
  auto* cmd =
      app.add_subcommand("tokenize", "Encode JSON strings from stdin to ids and tokens, or decode ids");
  auto a = std::make_shared<TokenizeArgs>();
  add_model_option(*cmd, a->dir);
  cmd->add_flag("--no-special", a->no_special, "Do not add the special tokens of the post-processor");
  cmd->add_flag("--pair", a->pair, "Each line is a JSON array [text, text_pair]");
  cmd->add_flag("--decode", a->decode, "Each line is a JSON array of ids; print {\"text\": ...}");
  cmd->add_flag("--skip-special", a->skip_special, "With --decode: drop special tokens");
  cmd->add_flag("--cleanup", a->cleanup, "With --decode: transformers' clean_up_tokenization_spaces");
  cmd->add_flag("--json", a->json, "Accepted for symmetry; the output is always JSON lines");
  cmd->callback([a] {
    if (a->dir.empty()) throw CLI::RequiredError("--model");
    auto tok = Tokenizer::load(a->dir);
    std::string line;
    for (std::size_t n = 1; std::getline(std::cin, line); ++n) {
      if (line.empty() || line == "\r") continue;
      nlohmann::json out;
      try {
        auto in = nlohmann::json::parse(line);
        out = a->decode ? decode_line(tok, in, *a) : encode_line(tok, in, *a);
      } catch (const std::exception& e) {
        throw std::runtime_error("stdin line " + std::to_string(n) + ": " + e.what());
      }
      std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
  });
});

}  // namespace
}  // namespace nib::cli
