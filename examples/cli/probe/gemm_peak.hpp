#pragma once
// oneDNN's own f32 GEMM throughput for given projection shapes: a fixed-M matmul primitive with the
// weights reordered once into the blocked format it prefers, bias included; or with `int8`, the
// u8 × s8 → s32 matmul nib's int8 weights run at M > 1 (no bias: nib adds it while rescaling). This is the
// ceiling `nib bench` compares prefill and encoder throughput against, and the one home of that probe
// (bench_matmul's BM_onednn_peak uses it too). Links oneDNN directly, not nib's internals.
#include <cstdint>
#include <span>

namespace nib::probe {

// y[M, n] = x[M, k] · W (+ bias); `count` is how many such projections one layer runs.
struct GemmShape {
  std::int64_t k = 0, n = 0;
  double count = 1;
};

// A ready-to-run fixed-shape primitive with its own random operands (weights already reordered).
class OnednnGemm {
 public:
  OnednnGemm(std::int64_t m, std::int64_t k, std::int64_t n, bool int8 = false);
  ~OnednnGemm();
  OnednnGemm(const OnednnGemm&) = delete;
  OnednnGemm& operator=(const OnednnGemm&) = delete;
  void run();                     // one execution, waited for
  const char* impl_name() const;  // oneDNN's implementation, e.g. "brg:avx512_core"

 private:
  struct Impl;
  Impl* impl_;
};

// GFLOP/s (2·m·k·n per call; GOP/s with int8) of the best of repeated timed runs lasting about
// `seconds` in total.
double onednn_gemm_gflop_s(std::int64_t m, std::int64_t k, std::int64_t n, double seconds = 0.25,
                           bool int8 = false);

// The FLOP-weighted harmonic mean of onednn_gemm_gflop_s over `shapes` at M = m: the throughput
// of running every shape once (count times) back to back, each at oneDNN's peak. `threads` > 0 sets
// the OpenMP threads of the calling thread first.
double onednn_gemm_peak_gflop_s(std::int64_t m, std::span<const GemmShape> shapes, int threads,
                                double seconds_per_shape = 0.25, bool int8 = false);

}  // namespace nib::probe
