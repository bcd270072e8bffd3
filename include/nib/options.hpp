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
  // A cap on the memory the model and its sessions hold (0: none). Counted before allocating: each
  // weight tensor as the load binds it, at what it then holds (a tensor used in place from the
  // mapping at its checkpoint size, as its pages become resident when read; a converted or quantised
  // copy at the copy's size: 2 bytes a weight in bf16/f16, ~1.06 in int8, ~2.1 with the M > 1 copy
  // VNNI CPUs get, ~0.56 in int4), plus the copy of the encoder layers' f32 weights prepacked for
  // oneDNN where the CPU gains by it (AVX-512: 4 more bytes each), and each causal session's KV
  // cache and buffers when it first runs, released when it is destroyed. Exceeding it throws
  // Status::OutOfMemory naming the tensor or state, the bytes it needs, those already held and the
  // cap (a refused load frees what it had bound). Not counted: tokenizer tables, adapters, encoder
  // work buffers (they grow with the batch), transient conversion buffers and per-call results.
  std::uint64_t max_memory_bytes = 0;
};

}  // namespace nib
