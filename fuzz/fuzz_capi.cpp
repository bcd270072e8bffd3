// The C ABI with arbitrary bytes: tokenize, decode, generate (text and ids) and logits on a tiny
// model loaded once (stories260K: sentencepiece; tiny-gpt2: byte-level BPE). Nothing may abort;
// every failure must come back as a status other than NIB_INTERNAL, and streamed pieces must be
// valid UTF-8. Input: 8 option bytes (see below), then prompt [\0 stop [\0 stop [\0 raw ids]]].
#include <nib.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

namespace {

void check(nib_status status, const char* call) {
  if (status == NIB_INTERNAL) nib::fuzz::finding(call, nib_last_error());
}

// A model and its tokenizer, freed at exit (so LeakSanitizer's exit check sees no leak).
struct Loaded {
  nib_model* model = nullptr;
  nib_tokenizer* tokenizer = nullptr;
  explicit Loaded(const char* name) {
    nib_load_options options;
    nib_load_options_init(&options);
    options.threads = 1;
    auto path = nib::fuzz::shared_path(name).string();
    if (nib_model_load(path.c_str(), &options, &model) != NIB_OK ||
        nib_model_tokenizer(model, &tokenizer) != NIB_OK) {
      nib::fuzz::finding("nib_model_load", nib_last_error());
    }
  }
  ~Loaded() {
    nib_tokenizer_free(tokenizer);
    nib_model_free(model);
  }
  Loaded(const Loaded&) = delete;
  Loaded& operator=(const Loaded&) = delete;
};

// Loaded on first use and kept for the whole run.
const Loaded& loaded(std::uint8_t which) {
  static const Loaded models[] = {Loaded("models/stories260K"), Loaded("models/tiny-gpt2")};
  return models[which & 1];
}

// Sampling values: mostly ordinary, with the ones an API must reject or survive mixed in.
float pick_float(std::uint8_t b, float scale) {
  constexpr float kSpecial[] = {std::numeric_limits<float>::quiet_NaN(),
                                std::numeric_limits<float>::infinity(),
                                -std::numeric_limits<float>::infinity(),
                                -1.f,
                                -0.f,
                                1e30f,
                                -1e30f,
                                std::numeric_limits<float>::min(),
                                std::numeric_limits<float>::denorm_min(),
                                std::numeric_limits<float>::max(),
                                1.f,
                                0.5f,
                                2.f,
                                1e-30f,
                                100.f,
                                -100.f};
  return b >= 240 ? kSpecial[b - 240] : static_cast<float>(b) * scale;
}

bool valid_utf8(const char* s, std::size_t n) {
  auto u = reinterpret_cast<const unsigned char*>(s);
  for (std::size_t i = 0; i < n;) {
    unsigned c = u[i];
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((u[i + k] & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

int stream(const char* piece, std::size_t len, void* budget) {
  if (!valid_utf8(piece, len)) nib::fuzz::finding("stream", "piece is not valid UTF-8");
  return --*static_cast<int*>(budget) < 0;  // non-zero stops generation
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nib;
  fuzz::Reader in(fuzz::as_text(data, size));
  const std::uint8_t flags = in.u8();
  const Loaded& m = loaded(flags);
  nib_generate_options options;
  nib_generate_options_init(&options);
  options.max_new_tokens = static_cast<std::int8_t>(in.u8()) % 6;  // negative ones must be refused
  options.temperature = pick_float(in.u8(), 1.f / 64);
  options.top_k = static_cast<std::int8_t>(in.u8());
  options.top_p = pick_float(in.u8(), 1.f / 200);
  options.min_p = pick_float(in.u8(), 1.f / 400);
  options.repetition_penalty = pick_float(in.u8(), 1.f / 100);
  options.seed = in.u8();
  options.add_special_tokens = (flags >> 1) & 1;
  nib_session_options session_options;
  nib_session_options_init(&session_options);
  session_options.threads = 1;
  session_options.n_ctx = (flags >> 3) * 2;  // 0: the model's own, else 2 .. 62 tokens
  session_options.drop_oldest_on_overflow = (flags >> 2) & 1;

  auto parts = fuzz::split_parts(in.rest(), 4);
  const std::string prompt(parts[0]);
  std::vector<const char*> stops;
  std::vector<std::string> stop_storage(parts.begin() + 1,
                                        parts.begin() + std::min<std::size_t>(parts.size(), 3));
  for (const auto& s : stop_storage) stops.push_back(s.c_str());
  options.stop = stops.data();
  options.stop_count = stops.size();
  std::vector<nib_token> raw_ids;
  if (parts.size() > 3) {
    raw_ids.resize(parts[3].size() / sizeof(nib_token));
    if (!raw_ids.empty()) std::memcpy(raw_ids.data(), parts[3].data(), raw_ids.size() * sizeof(nib_token));
  }

  // Tokenize and decode the prompt bytes (embedded NULs and invalid UTF-8 included).
  nib_encoding* encoding = nullptr;
  nib_status st =
      nib_tokenizer_encode(m.tokenizer, prompt.data(), prompt.size(), options.add_special_tokens, &encoding);
  check(st, "nib_tokenizer_encode");
  if (st == NIB_OK) {
    const nib_token* ids = nullptr;
    std::size_t count = 0;
    check(nib_encoding_ids(encoding, &ids, &count), "nib_encoding_ids");
    for (std::size_t i = 0; i < count; ++i) {
      const char* token = nullptr;
      check(nib_encoding_token(encoding, i, &token), "nib_encoding_token");
    }
    char* text = nullptr;
    std::size_t len = 0;
    check(nib_tokenizer_decode(m.tokenizer, ids, count, flags & 1, &text, &len), "nib_tokenizer_decode");
    nib_string_free(text);
    nib_encoding_free(encoding);
  }
  char* text = nullptr;
  check(nib_tokenizer_decode(m.tokenizer, raw_ids.data(), raw_ids.size(), 0, &text, nullptr),
        "nib_tokenizer_decode(raw ids)");
  nib_string_free(text);

  nib_session* session = nullptr;
  check(nib_session_create(m.model, &session_options, &session), "nib_session_create");
  if (!session) return 0;
  int budget = 3;
  options.stream = stream;
  options.stream_user_data = &budget;
  nib_generation out;
  out.struct_size = sizeof out;
  check(nib_generate(session, prompt.c_str(), &options, &out), "nib_generate");
  // The continuation of the same session, from raw ids (out-of-range ones must be refused).
  options.stream = nullptr;
  check(nib_generate_ids(session, raw_ids.data(), raw_ids.size(), &options, &out), "nib_generate_ids");
  const std::int64_t positions[] = {static_cast<std::int64_t>(raw_ids.size()) - 1,
                                    raw_ids.empty() ? 0 : static_cast<std::int64_t>(raw_ids[0])};
  const float* logits = nullptr;
  std::size_t vocab = 0;
  check(nib_logits(session, raw_ids.data(), raw_ids.size(), positions, 2, &logits, &vocab), "nib_logits");
  nib_session_free(session);
  return 0;
}
