#pragma once
// Options for loading models and running sessions.
#include <cstdint>
#include <functional>

namespace nib {

// Weight storage chosen at load (see README): Auto and F32 keep f32; BF16 and F16 are 16-bit (a
// checkpoint of that type is used as shipped); Int8 and Int4 are quantised at load per block of 32
// inputs (Int4: 4-bit codes, about a seventh of f32's bytes).
enum class WeightType { Auto, F32, BF16, F16, Int8, Int4 };

// Element type of a causal session's KV cache. F16 halves its memory (and the bytes decode
// attention reads per token) at a small accuracy cost: keys and values are rounded to IEEE half
// when stored; attention still computes in f32.
enum class KvCacheType { F32, F16 };

// Progress of a long operation in [0, 1]; return false to cancel (the operation then throws
// nib::Error with Status::Cancelled).
using ProgressFn = std::function<bool(float)>;

struct LoadOptions {
  int threads = 0;                        // 0: all cores
  WeightType weights = WeightType::Auto;  // storage of the matrices; Auto: f32
  ProgressFn progress;
  // A cap on the memory the model and its sessions hold (0: none). Counted before allocating: the
  // weights (every floating-point tensor at f32 size, whether used in place from the mapping or
  // widened from 16 bits: mapped pages become resident as they are read; an upper bound when
  // `weights` stores them in 16 or 8 bits) at load, plus the copy of the encoder layers' f32
  // weights prepacked for oneDNN where the CPU gains by it (AVX-512: 4 more bytes each), and each causal
  // session's KV cache and buffers when it first runs, released when it is destroyed. Exceeding it
  // throws Status::OutOfMemory naming the bytes needed and allowed. Not counted: tokenizer tables,
  // adapters, encoder work buffers (they grow with the batch) and per-call results.
  std::uint64_t max_memory_bytes = 0;
};

}  // namespace nib
