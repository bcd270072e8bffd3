// The --adapter option shared by generate, logits, classify, fill-mask and embed.
#include <nib/adapter.hpp>
#include <nib/error.hpp>
#include <nib/session.hpp>

#include <filesystem>

#include "command.hpp"

namespace nib::cli {

void add_adapter_option(CLI::App& cmd, std::vector<std::string>& specs) {
  cmd.add_option("--adapter", specs, "LoRA adapter folder (PEFT layout), optionally DIR:WEIGHT; repeatable")
      ->allow_extra_args(false);  // one folder per --adapter, so positional texts stay texts
}

void apply_adapters(Session& session, const std::vector<std::string>& specs) {
  if (specs.empty()) return;
  std::vector<AdapterRef> refs;
  for (const auto& spec : specs) {
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
    refs.push_back({Adapter::load(session.model(), dir), weight});
  }
  session.use_adapters(refs);
}

}  // namespace nib::cli
