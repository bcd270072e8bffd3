#include "bench_encoder.hpp"

#include "bench_shapes.hpp"
#include "gemm_peak.hpp"

#include <nib/error.hpp>
#include <nib/session.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace nib::cli {

namespace {

constexpr std::int64_t kSeqLen = 128;

// A text that tokenises to exactly kSeqLen ids (special tokens included), or close below it.
std::string text_of_length(const Tokenizer& tok) {
  auto make = [](std::int64_t words) {
    std::string s;
    for (std::int64_t i = 0; i < words; ++i) s += "hello ";
    return s;
  };
  std::int64_t words = kSeqLen;
  for (int i = 0; i < 4; ++i) {
    const auto n = static_cast<std::int64_t>(tok.encode(make(words)).ids.size());
    if (n == kSeqLen) break;
    words = std::max<std::int64_t>(1, words - (n - kSeqLen));
  }
  return make(words);
}

// Best of `reps` timings of fn, seconds.
template <class Fn>
double best_seconds(int reps, Fn&& fn) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

nlohmann::json bench_encoder(const Model& model, int threads) {
  const auto& info = model.info();
  SessionOptions so;
  so.threads = threads;
  Session session(model, so);
  const std::string text = text_of_length(model.tokenizer());
  const std::vector<std::string> batch(32, text);
  const EncodeOptions enc;
  auto run = [&](std::span<const std::string> texts) {
    if (info.head == HeadKind::SequenceClassification) {
      session.classify(texts, enc);
    } else {
      session.embed(texts, {Pooling::Mean, false}, enc);
    }
  };
  run(std::span(batch.data(), 1));  // warm-up: primitives created, buffers sized
  const double one = best_seconds(5, [&] { run(std::span(batch.data(), 1)); });
  run(batch);
  const double many = best_seconds(3, [&] { run(batch); });

  // Projections: 2 flops per weight per token; attention: QKᵀ and PV, 2·2·T·hidden per token per layer.
  const double h = static_cast<double>(info.hidden_size), t = static_cast<double>(kSeqLen);
  const double layers = static_cast<double>(info.num_layers);
  const double flop_per_seq = layers * (2 * layer_projection_macs(info) * t + 4 * t * t * h);
  const double gflop_s_32 = 32 * flop_per_seq / many / 1e9;
  const int nthreads = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  const double peak = probe::onednn_gemm_peak_gflop_s(32 * kSeqLen, layer_projection_shapes(info), nthreads);

  nlohmann::json j;
  j["seq_len"] = kSeqLen;
  j["seq_per_s"] = {{"1", 1.0 / one}, {"32", 32.0 / many}};
  j["latency_ms_batch1"] = 1000.0 * one;
  j["gflop_s"] = {{"1", flop_per_seq / one / 1e9}, {"32", gflop_s_32}};
  j["gemm_peak_gflop_s"] = peak;  // oneDNN at M = 32 × 128 on the same projection shapes
  j["fraction_of_peak"] = gflop_s_32 / peak;
  j["threads"] = nthreads;
  return j;
}

}  // namespace nib::cli
