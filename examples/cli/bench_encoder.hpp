#pragma once
// The encoder half of `nib bench` (cmd_bench.cpp dispatches here for encoder models).
#include <nib/model.hpp>

#include <nlohmann/json.hpp>

namespace nib::cli {

// Sequence length 128: {"seq_per_s":{"1","32"},"latency_ms_batch1","gflop_s","gemm_peak_gflop_s",
// "fraction_of_peak","threads"} (peak: oneDNN on the same projection shapes at M = 32 × 128); the caller
// adds load_ms and peak_rss_mb.
nlohmann::json bench_encoder(const Model& model, int threads);

}  // namespace nib::cli
