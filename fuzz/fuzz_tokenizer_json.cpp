// tokenizer.json [\0 tokenizer_config.json [\0 text]]: load the pipeline, then encode and decode
// the probe texts (and the text, when given) — see fuzz::exercise_tokenizer.
#include "fuzz_support.hpp"
#include "text/tokenizer_impl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nib;
  auto parts = fuzz::split_parts(fuzz::as_text(data, size), 3);
  fuzz::expect_clean("load_tokenizer_json", [&] {
    io::Json tokenizer = io::parse_json(parts[0], "tokenizer.json");
    io::Json config = io::Json::object();
    if (parts.size() > 1) config = io::parse_json(parts[1], "tokenizer_config.json");
    Tokenizer t(detail::load_tokenizer_json(tokenizer, "tokenizer.json", config));
    fuzz::exercise_tokenizer(t, parts.size() > 2 ? parts[2] : std::string_view());
  });
  return 0;
}
