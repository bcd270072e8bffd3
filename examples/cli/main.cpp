#include <nib/error.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <vector>

#include "command.hpp"

namespace nib::cli {

namespace {
std::multimap<int, Setup>& registry() {
  static std::multimap<int, Setup> r;
  return r;
}
}  // namespace

Registrar::Registrar(int order, Setup setup) {
  registry().emplace(order, std::move(setup));
}

void add_model_option(CLI::App& cmd, std::string& dir) {
  if (const char* env = std::getenv("NIB_MODEL")) dir = env;
  cmd.add_option("-m,--model", dir, "Hugging Face model folder (default: $NIB_MODEL)")->capture_default_str();
}

}  // namespace nib::cli

int main(int argc, char** argv) {
  CLI::App app{"nib — run small transformer language models on the CPU"};
  app.require_subcommand(1);
  for (auto& [order, setup] : nib::cli::registry()) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const nib::Error& e) {
    std::cerr << "nib: " << nib::status_name(e.status()) << " error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "nib: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
