#include "fuzz_support.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace nib::fuzz {

namespace fs = std::filesystem;

std::vector<std::string_view> split_parts(std::string_view input, std::size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    auto nul = input.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(input.substr(0, nul));
    input.remove_prefix(nul + 1);
  }
  parts.push_back(input);
  return parts;
}

std::uint8_t Reader::u8() {
  if (rest_.empty()) return 0;
  auto v = static_cast<std::uint8_t>(rest_.front());
  rest_.remove_prefix(1);
  return v;
}

std::uint32_t Reader::u32() {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t{u8()} << (8 * i);
  return v;
}

std::string_view Reader::take(std::size_t n) {
  auto out = rest_.substr(0, n);
  rest_.remove_prefix(out.size());
  return out;
}

namespace {

fs::path make_scratch_root() {
  fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
  auto root = base / ("nib-fuzz-" + std::to_string(::getpid()));
  fs::create_directories(root);
  // Removed at exit; a crash leaves it for the post-mortem (tools/fuzz cleans stale ones).
  static const fs::path kept = root;
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(kept, ec);
  });
  return root;
}

}  // namespace

const fs::path& Scratch::fresh() {
  static const fs::path root = make_scratch_root();
  for (const auto& entry : fs::directory_iterator(root)) fs::remove_all(entry.path());
  return root;
}

fs::path Scratch::write(const std::string& name, std::string_view bytes) {
  static const fs::path& root = fresh();
  auto path = root / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) finding("Scratch::write", "cannot write " + path.string());
  return path;
}

fs::path shared_path(const std::string& relative) {
  fs::path dir;
  if (const char* env = std::getenv("NIB_SHARED"); env && *env) {
    dir = env;
  } else {
    dir = fs::path(NIB_SOURCE_DIR).parent_path() / "shared";
  }
  auto path = dir / relative;
  if (!fs::exists(path)) {
    std::fprintf(stderr, "fuzz: missing %s: set NIB_SHARED to the shared/ folder\n", path.c_str());
    std::abort();
  }
  return path;
}

void finding(const char* what, const std::string& detail) {
  std::fprintf(stderr, "FINDING in %s: %s\n", what, detail.c_str());
  std::abort();
}

void exercise_tokenizer(const Tokenizer& tokenizer, std::string_view text) {
  static const std::string_view kProbes[] = {
      "",
      "Hello, world! It's 2024.",
      "  leading and trailing  spaces \t\n",
      "caf\xc3\xa9 na\xc3\xafve \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 "
      "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7",
      "<s>[CLS] <|endoftext|> </s>[SEP][MASK]<unk><pad>",
      "invalid \xff\xfe utf-8 \xc3",
  };
  std::vector<std::string_view> texts(std::begin(kProbes), std::end(kProbes));
  if (!text.empty()) texts.push_back(text);
  for (auto t : texts) {
    for (bool special : {true, false}) {
      Encoding enc;
      expect_clean("encode", [&] { enc = tokenizer.encode(t, special); });
      expect_clean("decode", [&] { (void)tokenizer.decode(enc.ids, !special); });
      expect_clean("decode(clean_up)", [&] { (void)tokenizer.decode(enc.ids, special, true); });
    }
  }
  expect_clean("encode_pair", [&] { (void)tokenizer.encode_pair(texts.back(), kProbes[1]); });

  // Ids at and around the vocabulary's edges, negative and huge ones included.
  const auto vocab = static_cast<std::int64_t>(tokenizer.vocab_size());
  std::vector<TokenId> ids;
  for (std::int64_t id : {std::int64_t{0}, std::int64_t{1}, vocab / 2, vocab - 1, vocab, vocab + 1,
                          std::int64_t{-1}, std::int64_t{INT32_MAX}, std::int64_t{INT32_MIN}}) {
    ids.push_back(static_cast<TokenId>(id));
  }
  for (auto id : ids) {
    expect_clean("id_to_token", [&] { (void)tokenizer.id_to_token(id); });
    expect_clean("is_special", [&] { (void)tokenizer.is_special(id); });
    expect_clean("decode(one id)", [&] { (void)tokenizer.decode(std::span(&id, 1), false); });
  }
  expect_clean("decode(id sweep)", [&] { (void)tokenizer.decode(ids, true); });
  expect_clean("token_to_id", [&] { (void)tokenizer.token_to_id(texts.back()); });
  expect_clean("StreamDecoder", [&] {
    Tokenizer::StreamDecoder stream(tokenizer, false);
    for (auto id : tokenizer.encode(texts.back(), true).ids) (void)stream.push(id);
    (void)stream.flush();
  });
}

}  // namespace nib::fuzz
