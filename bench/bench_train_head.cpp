// Task-head training cost (issue 11) on a real-shape encoder: 200 labelled texts, feature extraction
// (the forward passes, batched through Session::embed) and fitting (5-fold cross-validation plus the
// final fit, on features already in the model's cache) measured separately, plus the whole
// train_head() call on a cold cache. Targets: whole < 10 s on 2 cores, fitting < 100 ms.
// Input: NIB_BENCH_MODEL (default build/bench-models/bert-base, written by tools/make-bench-models
// or /work/shared/tools/make-random-model).
#include <benchmark/benchmark.h>

#include <nib/head.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>

namespace {

constexpr int kThreads = 2;
constexpr int kExamples = 200;

std::filesystem::path model_dir() {
  const char* v = std::getenv("NIB_BENCH_MODEL");
  return v && *v ? std::filesystem::path(v) : std::filesystem::path("build/bench-models/bert-base");
}

// 200 texts of 8-16 words from two disjoint word lists (sentence-length inputs, ~12-20 tokens).
std::vector<nib::LabelledText> examples() {
  static const std::vector<std::vector<std::string>> words = {
      {"cat", "dog", "horse", "mouse", "bird", "fish", "cow", "sheep"},
      {"bread", "apple", "cheese", "soup", "rice", "cake", "milk", "honey"}};
  std::mt19937 rng(1);
  std::vector<nib::LabelledText> out;
  for (int i = 0; i < kExamples; ++i) {
    const auto& list = words[static_cast<std::size_t>(i % 2)];
    std::string text;
    for (int w = 0, n = 8 + static_cast<int>(rng() % 9); w < n; ++w)
      text += (w ? " " : "") + list[rng() % list.size()];
    out.push_back({text, {i % 2 ? "food" : "animal"}});
  }
  return out;
}

const nib::Model& model() {
  static const nib::Model m = nib::Model::load(model_dir(), {.threads = kThreads});
  return m;
}

nib::TrainHeadOptions options() {
  nib::TrainHeadOptions o;
  o.threads = kThreads;
  o.pooling = nib::Pooling::Mean;
  return o;
}

// The whole call on a cold feature cache: a fresh texts set per iteration (a numeric suffix), so
// every forward pass runs. Reports the report's own split.
void BM_train_head_cold(benchmark::State& state) {
  const auto& m = model();
  auto base = examples();
  int round = 0;
  double feature_ms = 0, fit_ms = 0;
  for (auto _ : state) {
    auto ex = base;
    ++round;
    for (auto& e : ex) e.text += " " + std::to_string(round);
    const auto t = nib::train_head(m, ex, options());
    feature_ms += t.report.feature_ms;
    fit_ms += t.report.fit_ms;
    benchmark::DoNotOptimize(t.report.cv_accuracy);
  }
  state.counters["feature_ms"] = feature_ms / static_cast<double>(state.iterations());
  state.counters["fit_ms"] = fit_ms / static_cast<double>(state.iterations());
}
BENCHMARK(BM_train_head_cold)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

// Fitting alone: the features come from the model's cache (filled before timing).
void BM_train_head_fit(benchmark::State& state) {
  const auto& m = model();
  const auto ex = examples();
  nib::train_head(m, ex, options());
  for (auto _ : state) {
    const auto t = nib::train_head(m, ex, options());
    if (t.report.features_computed != 0) state.SkipWithError("features were not cached");
    benchmark::DoNotOptimize(t.report.cv_accuracy);
  }
}
BENCHMARK(BM_train_head_fit)->Unit(benchmark::kMillisecond)->UseRealTime();

// Feature extraction alone: 200 embeddings through one session (what the cold call pays).
void BM_embed_200(benchmark::State& state) {
  const auto& m = model();
  std::vector<std::string> texts;
  for (const auto& e : examples()) texts.push_back(e.text);
  nib::Session s(m, {.threads = kThreads});
  for (auto _ : state) benchmark::DoNotOptimize(s.embed(texts, {nib::Pooling::Mean, false}));
}
BENCHMARK(BM_embed_200)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
