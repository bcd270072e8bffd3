// nib bench -m DIR [--threads N] [--weights T] [--kv-cache T] [--n-ctx N] [--decode-context N] --json: load
// time, prefill and decode speed, peak RSS; for causal LMs the KV cache's type and bytes.
// For causal LMs also the memory bandwidth decoding implies (weight bytes read per token in the chosen
// storage type × tokens/s) next to this machine's read bandwidth, probed between the decode runs, and
// prefill GFLOP/s next to oneDNN's f32 GEMM peak for the model's own projection shapes at M = 512,
// both measured in the same run.
#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <vector>

#include "bench_encoder.hpp"
#include "bench_shapes.hpp"
#include "command.hpp"

namespace nib::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Read bandwidth of `threads` threads summing a 512 MiB buffer (best of a few passes), GB/s. The buffer
// is allocated once: decode runs are interleaved with probes.
class ReadProbe {
 public:
  explicit ReadProbe(int threads) : threads_(threads), buf_((512u << 20) / sizeof(std::uint64_t), 1) {}
  double measure() const {
    const std::size_t n = buf_.size(), parts = static_cast<std::size_t>(threads_);
    double best = 0;
    for (int pass = 0; pass < 4; ++pass) {
      std::vector<std::thread> pool;
      std::vector<std::uint64_t> sums(parts);
      auto t0 = Clock::now();
      for (std::size_t t = 0; t < parts; ++t) {
        pool.emplace_back([&, t] {
          std::uint64_t s = 0;  // integer sums vectorise without reassociation flags
          for (std::size_t i = n * t / parts; i < n * (t + 1) / parts; ++i) s += buf_[i];
          sums[t] = s;
        });
      }
      for (auto& th : pool) th.join();
      const double sec = seconds_since(t0);
      std::uint64_t total = 0;
      for (auto s : sums) total += s;
      if (total != n) throw Error(Status::Internal, "bandwidth probe miscounted");
      best = std::max(best, static_cast<double>(n * sizeof(std::uint64_t)) / sec / 1e9);
    }
    return best;
  }

 private:
  int threads_;
  std::vector<std::uint64_t> buf_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// Bytes a weight parameter occupies in the chosen storage (int8: one byte plus a half-precision scale
// per block of 32; int4: half a byte plus the scale). Norm vectors and biases stay f32 but are < 0.1% of the
// parameters.
double bytes_per_weight(WeightType t) {
  switch (t) {
    case WeightType::BF16:
    case WeightType::F16: return 2.0;
    case WeightType::Int8: return 1.0 + 2.0 / 32.0;
    case WeightType::Int4: return 0.5 + 2.0 / 32.0;
    case WeightType::Auto:
    case WeightType::F32: break;
  }
  return 4.0;
}

// Weight bytes a decode step reads: every parameter except the embedding tables, of which only one
// row is read (a tied table is read in full as the LM head). The LM head is stored as vocabulary
// matrices are (int4 keeps them at int8), the rest in the chosen type.
double decode_weight_bytes(const ModelInfo& info, WeightType weights) {
  nlohmann::json config;
  std::ifstream(info.path / "config.json") >> config;
  const bool gpt2 = info.model_type == "gpt2";
  const bool tied = config.value("tie_word_embeddings", gpt2);
  const double table = static_cast<double>(info.vocab_size * info.hidden_size);
  double params = static_cast<double>(info.parameter_count);
  if (gpt2) params -= static_cast<double>(info.max_positions * info.hidden_size);  // wpe: one row
  if (!tied) params -= table;                                                      // input table: one row
  const WeightType head = weights == WeightType::Int4 ? WeightType::Int8 : weights;
  return (params - table) * bytes_per_weight(weights) + table * bytes_per_weight(head);
}

const char* weights_name(WeightType t) {
  switch (t) {
    case WeightType::BF16: return "bf16";
    case WeightType::F16: return "f16";
    case WeightType::Int8: return "int8";
    case WeightType::Int4: return "int4";
    case WeightType::Auto:
    case WeightType::F32: break;
  }
  return "f32";
}

// What `nib bench` measures for a causal LM besides the model: the session's KV cache type and
// context, and the prompt length decode speed is measured after.
struct CausalBench {
  KvCacheType kv = KvCacheType::F32;
  std::int64_t n_ctx = 0;             // 0: the model's, capped at 1024
  std::int64_t decode_context = 128;  // prompt tokens before the 128 timed decode steps
};

nlohmann::json bench_causal(const Model& model, int threads, WeightType weights, const CausalBench& cb) {
  const auto& info = model.info();
  SessionOptions so;
  so.threads = threads;
  so.kv_cache = cb.kv;
  so.n_ctx = cb.n_ctx > 0 ? cb.n_ctx : std::min<std::int64_t>(info.max_positions, 1024);
  constexpr std::int64_t kDecodeSteps = 128;
  if (cb.decode_context <= 0 || cb.decode_context + kDecodeSteps > so.n_ctx)
    throw Error(Status::InvalidArgument, "--decode-context " + std::to_string(cb.decode_context) +
                                             " must be positive and leave 128 tokens free in n_ctx " +
                                             std::to_string(so.n_ctx));
  Session session(model, so);
  std::mt19937 rng(1234);
  std::uniform_int_distribution<TokenId> pick(3, static_cast<TokenId>(info.vocab_size - 1));
  std::vector<TokenId> ids(static_cast<std::size_t>(std::max<std::int64_t>(512, cb.decode_context)));
  for (auto& id : ids) id = pick(rng);

  GenerateOptions prefill_only;
  prefill_only.max_new_tokens = 0;
  auto prefill_tok_s = [&](std::size_t n, int repeats) {
    double best = 0;
    for (int r = 0; r < repeats; ++r) {
      session.reset();
      auto g = session.generate_ids(std::span(ids).first(n), prefill_only);
      best = std::max(best, 1000.0 * static_cast<double>(n) / g.stats.prefill_ms);
    }
    return best;
  };
  prefill_tok_s(128, 1);  // warm-up: primitive creation, page faults on the mapped weights
  nlohmann::json j;
  j["prefill_tok_s"] = nlohmann::json::object();
  // Short prompts too (a chat turn, a label to score): where a path that prepares every weight first
  // (widening it to f32) costs most.
  j["prefill_tok_s"]["8"] = prefill_tok_s(8, 3);
  j["prefill_tok_s"]["32"] = prefill_tok_s(32, 3);
  j["prefill_tok_s"]["128"] = prefill_tok_s(128, 3);
  double tok_s_512 = 0;
  if (so.n_ctx >= 512) j["prefill_tok_s"]["512"] = tok_s_512 = prefill_tok_s(512, 2);

  const double weight_bytes = decode_weight_bytes(info, weights);
  const int nthreads = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  j["peak_rss_mb"] = peak_rss_mb();  // the model's: before the probe's buffer (decode allocates nothing)

  // Decode runs interleaved with read-bandwidth probes: the machine is shared and its bandwidth
  // drifts from one second to the next, so each run is set against the probes just before and after
  // it, and the fraction reported is the median run's.
  GenerateOptions decode;
  decode.max_new_tokens = kDecodeSteps;
  decode.stop_at_eos = false;
  const ReadProbe probe(nthreads);
  std::vector<double> probes{probe.measure()}, fractions;
  double decode_tok_s = 0;
  for (int r = 0; r < 3; ++r) {
    session.reset();
    auto g = session.generate_ids(std::span(ids).first(static_cast<std::size_t>(cb.decode_context)), decode);
    const double tok_s = 1000.0 * static_cast<double>(g.stats.generated_tokens) / g.stats.decode_ms;
    decode_tok_s = std::max(decode_tok_s, tok_s);
    probes.push_back(probe.measure());
    fractions.push_back(weight_bytes * tok_s / 1e9 / ((probes[probes.size() - 2] + probes.back()) / 2));
  }
  j["decode_tok_s"] = decode_tok_s;
  j["decode_context"] = cb.decode_context;
  j["n_ctx"] = so.n_ctx;
  j["kv_cache"] = kv_cache_name(cb.kv);
  // Keys and values of every layer and position of the session's context.
  const std::int64_t kv_bytes = 2 * info.num_layers * so.n_ctx * info.num_kv_heads * info.head_dim *
                                (cb.kv == KvCacheType::F16 ? 2 : 4);
  j["kv_cache_mb"] = static_cast<double>(kv_bytes) / 1e6;

  j["decode_gb_s"] = weight_bytes * decode_tok_s / 1e9;
  j["weight_mb_per_token"] = weight_bytes / 1e6;
  if (tok_s_512 > 0) {
    // Projections: 2 flops per weight per token; attention (causal, 256 keys on average): QKᵀ and PV,
    // 2·2·256·heads·head_dim per token per layer; the LM head runs on the last row only.
    const double layers = static_cast<double>(info.num_layers);
    const double attn = 4.0 * 256.0 * static_cast<double>(info.num_heads * info.head_dim);
    const double head = 2.0 * static_cast<double>(info.vocab_size * info.hidden_size);
    const double flop = 512.0 * layers * (2.0 * layer_projection_macs(info) + attn) + head;
    const double gflop_s = flop * tok_s_512 / 512.0 / 1e9;
    const auto shapes = layer_projection_shapes(info);
    const double peak = probe::onednn_gemm_peak_gflop_s(512, shapes, nthreads);
    j["prefill_gflop_s"] = gflop_s;
    j["gemm_peak_gflop_s"] = peak;
    j["prefill_fraction_of_peak"] = gflop_s / peak;
  }
  j["measured_read_gb_s"] = median(probes);
  j["read_gb_s_probes"] = probes;
  j["decode_fraction_runs"] = fractions;
  j["decode_fraction_of_bandwidth"] = median(fractions);
  j["threads"] = nthreads;
  return j;
}

Registrar bench_command(90, [](CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Measure load, prefill and decode speed");
  auto dir = std::make_shared<std::string>();
  auto threads = std::make_shared<int>(0);
  auto json = std::make_shared<bool>(false);
  auto lo = std::make_shared<LoadOptions>();
  auto cb = std::make_shared<CausalBench>();
  add_model_option(*cmd, *dir);
  add_weights_option(*cmd, *lo);
  cmd->add_option("--threads", *threads, "Threads (0: all cores)");
  add_kv_cache_option(*cmd, cb->kv);
  cmd->add_option("--n-ctx", cb->n_ctx, "Causal LMs: the session's context (0: the model's, at most 1024)");
  cmd->add_option("--decode-context", cb->decode_context,
                  "Causal LMs: prompt tokens before the 128 timed decode steps (default 128)");
  cmd->add_flag("--json", *json, "Print one JSON document (the only output format)");
  // json is captured although unused: CLI11 writes the flag through it after this setup returns.
  cmd->callback([dir, threads, json, lo, cb] {
    if (dir->empty()) throw CLI::RequiredError("--model");
    lo->threads = *threads;
    const auto t0 = Clock::now();
    auto model = Model::load(*dir, *lo);
    const double load_ms = 1000.0 * seconds_since(t0);
    nlohmann::json j;
    switch (model.info().kind) {
      case ModelKind::CausalLM: j = bench_causal(model, *threads, lo->weights, *cb); break;
      case ModelKind::Encoder:
        j = bench_encoder(model, *threads);
        if (lo->weights == WeightType::Int8) {  // the ceiling of oneDNN's int8 matmul, same shapes and M
          const int n = *threads > 0 ? *threads : static_cast<int>(std::thread::hardware_concurrency());
          const double peak = probe::onednn_gemm_peak_gflop_s(32 * 128, layer_projection_shapes(model.info()),
                                                              n, 0.25, /*int8=*/true);
          j["gemm_peak_int8_gop_s"] = peak;
          j["fraction_of_int8_peak"] = j["gflop_s"]["32"].get<double>() / peak;
        }
        break;
    }
    j["weights"] = weights_name(lo->weights);
    j["load_ms"] = load_ms;
    if (!j.contains("peak_rss_mb")) j["peak_rss_mb"] = peak_rss_mb();  // causal LMs: read before the probe
    std::cout << j.dump() << "\n";
  });
});

}  // namespace
}  // namespace nib::cli
