// config.json (+ generation_config.json after a NUL) -> the typed architecture configuration.
#include "fuzz_support.hpp"
#include "io/model_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nib;
  auto parts = fuzz::split_parts(fuzz::as_text(data, size), 2);
  fuzz::expect_clean("parse_model_config", [&] {
    io::Json config = io::parse_json(parts[0], "config.json");
    io::Json generation;
    if (parts.size() > 1) generation = io::parse_json(parts[1], "generation_config.json");
    (void)io::parse_model_config(config, "config.json", parts.size() > 1 ? &generation : nullptr);
  });
  return 0;
}
