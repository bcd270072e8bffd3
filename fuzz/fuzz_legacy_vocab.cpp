// Folders without tokenizer.json, loaded through Tokenizer::load. The first byte picks the format
// (even: WordPiece vocab.txt; odd: BPE vocab.json + merges.txt), the rest holds the files joined by
// NULs: vocab.txt [\0 tokenizer_config.json] or vocab.json \0 merges.txt [\0 tokenizer_config.json].
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nib;
  fuzz::Reader in(fuzz::as_text(data, size));
  const bool bpe = in.u8() & 1;
  auto parts = fuzz::split_parts(in.rest(), bpe ? 3 : 2);
  const auto& dir = fuzz::Scratch::fresh();
  std::size_t next = 0;
  if (bpe) {
    if (parts.size() < 2) return 0;
    fuzz::Scratch::write("vocab.json", parts[next++]);
    fuzz::Scratch::write("merges.txt", parts[next++]);
  } else {
    fuzz::Scratch::write("vocab.txt", parts[next++]);
  }
  if (next < parts.size()) fuzz::Scratch::write("tokenizer_config.json", parts[next]);
  fuzz::expect_clean("Tokenizer::load", [&] {
    auto t = Tokenizer::load(dir);
    fuzz::exercise_tokenizer(t, {});
  });
  return 0;
}
