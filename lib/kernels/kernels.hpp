#pragma once
// The compute vocabulary the models are written in. Activations are row-major f32 buffers; weights
// may be f32, bf16, f16 or int8 (see Storage); this folder is the only place with SIMD or oneDNN code.
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "kernels/huge_pages.hpp"

namespace nib::kernels {

// How a weight matrix is stored. OutIn: nn.Linear [N, K]; InOut: GPT-2 Conv1D [K, N].
enum class Layout { OutIn, InOut };

// Element type of a weight matrix (and, F32 or F16, of a KV cache). Int8 is symmetric with one half
// scale per block of kInt8Block consecutive input features of each output (w ≈ q · scale), always
// OutIn and stored per group of rows (see quantized_group_bytes). Int4 has the same blocks, scales
// and groups with 4-bit codes, two per byte (see int4_code_byte; w ≈ (code − 8) · scale, as Q4_0).
enum class Storage { F32, BF16, F16, Int8, Int4 };
// Int8 or Int4: codes per block with a scale, quantised at load, read by the integer kernels.
constexpr bool quantized(Storage s) {
  return s == Storage::Int8 || s == Storage::Int4;
}
// "f32", "bf16", "f16", "int8", "int4" (messages, benchmark labels).
const char* storage_name(Storage s);
constexpr std::int64_t kInt8Block = 32;
// Int8 weights are stored in groups of kInt8Rows outputs, so the M = 1 kernels read one contiguous
// stream and multiply 16 outputs per instruction; splitting outputs between threads at multiples of
// kGemvRowAlign keeps each group on one thread (other splits stay correct, at some repeated work).
constexpr std::int64_t kInt8Rows = 16;
constexpr std::int64_t kGemvRowAlign = kInt8Rows;

// Int8 weights again, quantised per output channel and prepacked for oneDNN's int8 matmul, which
// M > 1 uses (see onednn_int8.hpp); opaque outside kernels/.
struct Int8Gemm;
// F32 weights again, prepacked in oneDNN's layout for M > 1 (see onednn_f32_packed.hpp); opaque too.
struct F32Gemm;

// A read-only weight matrix, pointing into the memory-mapped checkpoint or a buffer the model owns.
struct Weight {
  const void* data = nullptr;  // float, bf16 / f16 bits (uint16), or int8 / int4 groups, per `storage`
  std::int64_t n = 0;          // output features
  std::int64_t k = 0;          // input features
  Layout layout = Layout::OutIn;
  Storage storage = Storage::F32;
  const Int8Gemm* gemm = nullptr;     // Int8: the M > 1 copy (null: M > 1 widens the blocks instead)
  const F32Gemm* f32_gemm = nullptr;  // F32: the M > 1 copy (null: M > 1 reads `data` in place)

  const float* f32() const { return static_cast<const float*>(data); }
};

inline std::int64_t int8_blocks(std::int64_t k) {
  return (k + kInt8Block - 1) / kInt8Block;
}
inline std::int64_t int8_groups(std::int64_t n) {
  return (n + kInt8Rows - 1) / kInt8Rows;
}
// Int8 and int4 weights are stored per group of kInt8Rows rows, and in a group per tile of two
// blocks of K (the last tile of an odd count holds one): the tile's codes block by block (512 bytes
// an int8 block, 256 an int4 one; int8_code_index, int4_code_byte), then the 16 rows' scales of each
// of its blocks as IEEE halves (32 bytes a block; see half_scale), the tile padded to whole 64-byte
// lines. Like Q8_0 and Q4_0, 2 bytes of scale per 32 weights: 1.0625 bytes an int8 weight (1.125
// with f32 scales), 0.5625 an int4 one (0.625). Two blocks a tile keep every tile and every block's
// codes on line boundaries (a 64-byte load never spans two lines). A group is one contiguous stream
// for the M = 1 kernels, the scales next to the codes they scale: in an array of their own, the
// scales cost ~20% of one core's read rate; after all of a group's codes, ~25% of int8 decode.
constexpr std::int64_t kScaleBytes = kInt8Rows * 2;
constexpr std::int64_t quantized_code_bytes(Storage s) {
  return kInt8Rows * (s == Storage::Int4 ? kInt8Block / 2 : kInt8Block);
}
// Bytes of a tile of `tile_blocks` (1 or 2) blocks.
constexpr std::int64_t quantized_tile_bytes(Storage s, std::int64_t tile_blocks) {
  return (tile_blocks * (quantized_code_bytes(s) + kScaleBytes) + 63) / 64 * 64;
}
constexpr std::int64_t quantized_group_bytes(Storage s, std::int64_t blocks) {
  return blocks / 2 * quantized_tile_bytes(s, 2) + blocks % 2 * quantized_tile_bytes(s, 1);
}
// Where block b's codes start in its group, and its 16 scales.
constexpr std::int64_t quantized_codes_at(Storage s, std::int64_t b) {
  return b / 2 * quantized_tile_bytes(s, 2) + b % 2 * quantized_code_bytes(s);
}
constexpr std::int64_t quantized_scales_at(Storage s, std::int64_t blocks, std::int64_t b) {
  const std::int64_t in_tile = blocks - b / 2 * 2 < 2 ? 1 : 2;
  return b / 2 * quantized_tile_bytes(s, 2) + in_tile * quantized_code_bytes(s) + b % 2 * kScaleBytes;
}
// Block b's 16 scales (half bits) in the group starting at `group`.
inline const std::uint16_t* block_scales(const void* group, Storage s, std::int64_t blocks, std::int64_t b) {
  return reinterpret_cast<const std::uint16_t*>(static_cast<const char*>(group) +
                                                quantized_scales_at(s, blocks, b));
}
// Where row r's group starts.
inline std::int64_t quantized_group_at(Storage s, std::int64_t blocks, std::int64_t r) {
  return r / kInt8Rows * quantized_group_bytes(s, blocks);
}
// Where int8 code (row r, input c) sits: in its block, per 4 inputs, the 16 rows' 4 codes (64
// bytes: one vpdpbusd operand, each i32 lane one row's 4 products). Rows past n and inputs past k
// are stored as 0.
inline std::int64_t int8_code_index(std::int64_t blocks, std::int64_t r, std::int64_t c) {
  return quantized_group_at(Storage::Int8, blocks, r) + quantized_codes_at(Storage::Int8, c / kInt8Block) +
         c % kInt8Block / 4 * (4 * kInt8Rows) + r % kInt8Rows * 4 + c % 4;
}
// Where int4 code (row r, input c) sits: int8's layout at half the code bytes (256 a block). Chunk j (64
// bytes) holds the 16 rows' codes of block inputs 4j..4j+3 in its low nibbles and of inputs
// 16+4j..16+4j+3 in its high ones, so one load and a mask or a shift give two vpdpbusd operands.
// Codes past n and k are 8 (value 0).
inline std::int64_t int4_code_byte(std::int64_t blocks, std::int64_t r, std::int64_t c) {
  return quantized_group_at(Storage::Int4, blocks, r) + quantized_codes_at(Storage::Int4, c / kInt8Block) +
         c % 16 / 4 * (4 * kInt8Rows) + r % kInt8Rows * 4 + c % 4;
}
inline bool int4_high_nibble(std::int64_t c) {
  return c % kInt8Block >= 16;
}
// The byte where the scale of row r, block b sits (int8 and int4): after its tile's codes.
inline std::int64_t quantized_scale_byte(Storage s, std::int64_t blocks, std::int64_t r, std::int64_t b) {
  return quantized_group_at(s, blocks, r) + quantized_scales_at(s, blocks, b) + r % kInt8Rows * 2;
}
float quantized_scale(const Weight& w, std::int64_t r, std::int64_t b);
// Bytes of a weight (codes and scales): what one M = 1 matmul reads.
std::int64_t weight_bytes(const Weight& w);
// Bytes a weight holds in memory: weight_bytes plus its M > 1 copy (int8, prepacked f32).
std::int64_t resident_bytes(const Weight& w);
// What pack_weight allocates for an n × k matrix in `storage`, known before it is made (what a memory
// cap charges): BF16, F16, Int8 and Int4 their result's resident_bytes; F32 only its prepacked copy
// (src is used in place).
std::int64_t packed_bytes(std::int64_t n, std::int64_t k, Storage storage);

// Widens output features [n0, n1) of w to f32 in its own layout: OutIn rows [n1 - n0, k], InOut
// [k, n1 - n0] (int8: q · scale).
void dequantize(const Weight& w, std::int64_t n0, std::int64_t n1, float* out);

// A packed weight's buffer: uninitialised when sized (the parallel packing loops write it whole and
// take its first-touch faults), in huge pages (see huge_pages.hpp).
template <class T>
using PackedBuffer = std::vector<T, HugePageAllocator<T, true>>;

// A weight converted at load into a reduced storage type, owning its buffers (moving keeps `view`
// valid: vectors keep their heap buffers).
struct PackedWeight {
  PackedBuffer<std::uint16_t> half;
  PackedBuffer<std::int8_t> q;  // int8 / int4 groups
  std::shared_ptr<const Int8Gemm> gemm;
  std::shared_ptr<const F32Gemm> f32_gemm;
  Weight view;
};
// Converts an f32 matrix (layout as given) to `storage` (BF16, F16: round to nearest even; Int8:
// per-block absmax scales, transposed to OutIn when given InOut, plus the per-channel M > 1 copy
// quantised from the same f32 values; Int4: per-block codes as Int8's, with no M > 1 copy (every M
// takes the GEMV); F32: src itself, which must outlive the result, plus the prepacked M > 1 copy
// where oneDNN prefers its own layout).
// The BF16/F16/Int8/Int4 buffers come from `arena` when given (a model's weights share its blocks).
PackedWeight pack_weight(const float* src, std::int64_t n, std::int64_t k, Layout layout, Storage storage,
                         HugePageArena* arena = nullptr);

// n floats to bf16 bits, rounded to nearest even (NaN stays NaN).
void round_to_bf16(const float* src, std::int64_t n, std::uint16_t* dst);
// IEEE half <-> f32 over n values (F16C; narrowing rounds to nearest even): f16 weight packing and
// the f16 KV cache.
void f32_to_f16(const float* src, std::uint16_t* dst, std::int64_t n);
void f16_to_f32(const std::uint16_t* src, float* dst, std::int64_t n);

// Element-wise function applied to a matmul's output. oneDNN fuses it into the GEMM (each tile is
// activated while still in cache, instead of one more pass over y); other paths apply it after.
enum class Epilogue { None, GeluErf, GeluTanh, Relu, Silu };
void apply_epilogue(Epilogue e, float* x, std::int64_t n);

// y[m, n] = then(x[m, k] · Wᵀ (+ bias[n])); with accumulate, y = then(y + …) instead.
// x, y rows are contiguous with leading dimensions k and n (or ldx/ldy when given).
void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y,
            bool accumulate = false, std::int64_t ldx = 0, std::int64_t ldy = 0);
void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            std::int64_t ldx, std::int64_t ldy, Epilogue then);
// Whether matmul multiplies m rows by w with our GEMV rather than oneDNN (see matmul.cpp). Int8 and
// int4 GEMVs quantise each x row per block of kInt8Block (as matvec_input does); oneDNN's int8 matmul
// quantises it per row.
bool matmul_uses_gemv(std::int64_t m, const Weight& w);

// Several projections of the same input x[m, k] (Llama's q|k|v, gate|up): y_i = x·W_iᵀ (+ bias_i),
// each y_i contiguous. At decode sizes all weights stream through one parallel region (one fork and
// join per group instead of one per projection); otherwise one matmul each.
struct Projection {
  Weight w;
  const float* bias = nullptr;
  float* y = nullptr;
};
void matmul_many(const float* x, std::int64_t m, std::span<const Projection> projections);

// One activation row x[k] for matvec_rows, prepared once for all the calls that read it instead of
// once per call: quantised when `weights` is Int8 (per block of kInt8Block, as the int8 GEMV
// multiplies it), deinterleaved when BF16 (as the bf16 GEMV pairs it with the weights). The
// prepared copy is the calling thread's: valid until its next matvec_input.
struct MatvecInput {
  const float* x = nullptr;
  std::int64_t k = 0;
  const std::int8_t* xq = nullptr;     // null unless quantised
  const float* xs = nullptr;           // the blocks' scales
  const std::int32_t* xsum = nullptr;  // the sums of the blocks' codes
  const float* xp = nullptr;           // null unless deinterleaved
};
MatvecInput matvec_input(const float* x, std::int64_t k, Storage weights);

// y[n0, n1) = x · W[n0, n1)ᵀ (+ bias[n0, n1)) (with accumulate, y +=) for one x row and an OutIn weight,
// on the calling thread with no parallel region: a decode step's share of a projection, computed
// inside the step's own region (see share()). Every output is computed as matmul computes it when
// n0 and n1 (unless n1 = n) are multiples of 4 (int8: anywhere).
void matvec_rows(const MatvecInput& x, const Weight& w, const float* bias, float* y, bool accumulate,
                 std::int64_t n0, std::int64_t n1);

// InOut weights at M = 1 are split along K into blocks of kPartialRows rows (each one contiguous
// stream of weights). Each block's partial sums go to its own row of `partials`, and the rows are
// then added up in block order, so the sums do not depend on which thread computed a block or on
// how many threads there are. matvec_partial computes block b: partial[0, n) = Σ x[k] · W[k, :]
// over k in [b · kPartialRows, min(K, (b + 1) · kPartialRows)). sum_partials adds `blocks` rows
// `stride` apart: y[j] = (y[j] if accumulate) + bias[j] + partials[j] + partials[stride + j] + …
// for j < count. matmul computes exactly this wherever matvec_splits_rows(w) holds.
constexpr std::int64_t kPartialRows = 128;
bool matvec_splits_rows(const Weight& w);
std::int64_t partial_blocks(const Weight& w);
void matvec_partial(const float* x, const Weight& w, std::int64_t block, float* partial);
void sum_partials(const float* partials, std::int64_t stride, std::int64_t blocks, const float* bias,
                  float* y, bool accumulate, std::int64_t count);

// Plain GEMM on activations: c[m, n] = alpha · a[m, k] · op(b) (+ beta · c), b is [k, n] or, with
// b_transposed, [n, k]. Leading dimensions are explicit (attention uses strided head views).
void gemm(const float* a, std::int64_t lda, const float* b, std::int64_t ldb, bool b_transposed, float* c,
          std::int64_t ldc, std::int64_t m, std::int64_t n, std::int64_t k, float alpha = 1.f,
          float beta = 0.f);

// Row-wise norms over `dim` elements, rows contiguous. y may alias x. One row opens no parallel
// region (as silu_mul, add_inplace and the RoPE calls below do for decode sizes): decode steps call
// them inside theirs.
void rms_norm(const float* x, const float* weight, float* y, std::int64_t rows, std::int64_t dim, float eps);
void layer_norm(const float* x, const float* gamma, const float* beta, float* y, std::int64_t rows,
                std::int64_t dim, float eps);

// Element-wise activations, in place.
void gelu_erf(float* x, std::int64_t n);   // exact GELU (BERT "gelu")
void gelu_tanh(float* x, std::int64_t n);  // tanh approximation (GPT-2 "gelu_new", "gelu_pytorch_tanh")
void silu(float* x, std::int64_t n);
void relu(float* x, std::int64_t n);
void tanh_inplace(float* x, std::int64_t n);
// out[i] = silu(gate[i]) * up[i] (Llama MLP); out may alias gate.
void silu_mul(const float* gate, const float* up, float* out, std::int64_t n);
void add_inplace(float* y, const float* x, std::int64_t n);  // y += x

// Softmax over each row of `cols` values, in place (numerically stable).
void softmax_rows(float* x, std::int64_t rows, std::int64_t cols);

// Rotate-half RoPE (Hugging Face layout, not interleaved) applied in place to x[t, h, :] for
// t < n_tokens, h < n_heads, with row stride `stride` floats between tokens.
// inv_freq has head_dim/2 entries; angle = positions[t] * inv_freq[i]; cos/sin scaled by `scale`
// (attention factor of some rope_scaling types, 1 otherwise).
void rope(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim, std::int64_t stride,
          const std::int64_t* positions, const float* inv_freq, float scale = 1.f);
// The same in two steps, so a model with many layers evaluates cos/sin once per forward pass:
// rope_table writes cos | sin (scaled) of every token's angles, 2·half floats per token, and
// rope_apply rotates x by it (head_dim = 2·half). rope_table then rope_apply equals rope exactly.
void rope_table(const std::int64_t* positions, std::int64_t n_tokens, const float* inv_freq,
                std::int64_t half, float scale, float* table);
void rope_apply(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim,
                std::int64_t stride, const float* table);

// Multi-head attention for one sequence.
// q: [n_q, n_heads, head_dim] with token stride q_stride floats; k, v: n_kv_heads heads of n_kv rows of
// head_dim, row j of kv head g at j·kv_stride + g·kv_head_stride (kv_head_stride 0: head_dim, i.e.
// [n_kv, n_kv_heads, head_dim]; a KV cache stores each head's rows contiguously instead, so that a
// decode step reads one sequential run per head); query head h uses kv head h / (n_heads / n_kv_heads) (GQA).
// Query i sits at absolute position q_pos0 + i; key j at position j.
// causal: key j is visible to query i iff j <= q_pos0 + i (and, with window > 0, q_pos0 + i - j < window).
// key_mask (optional, n_kv entries, 0 = padding) hides keys for encoder batches.
// out: [n_q, n_heads, head_dim] with token stride out_stride. `scratch` needs attention_scratch_floats()
// for the element type of k and v: f32, or f16 (IEEE half bits: a KV cache stored in 16 bits, widened
// as it is read).
struct AttentionShape {
  std::int64_t n_q = 0, n_kv = 0, n_heads = 0, n_kv_heads = 0, head_dim = 0;
  std::int64_t q_stride = 0, kv_stride = 0, out_stride = 0;
  std::int64_t kv_head_stride = 0;  // 0: head_dim
  std::int64_t q_pos0 = 0;
  bool causal = true;
  std::int64_t window = 0;
  float scale = 0.f;  // 0: 1/sqrt(head_dim)
};
std::int64_t attention_scratch_floats(const AttentionShape& s, Storage kv = Storage::F32);
// The thread slots attention_scratch_floats provides (a team larger than this shares the work among
// its first attention_slots() threads).
int attention_slots();
// (query, head) rows [r0, r1) of the same attention, in head-major order r = head · n_q + query, on
// the calling thread with no parallel region, using scratch slot `slot` (< attention_slots()): a
// decode step's share, computed inside its own region. Rows are computed as attention() computes
// them for fewer than 16 queries.
void attention_rows(const float* q, const float* k, const float* v, const AttentionShape& s, float* out,
                    float* scratch, int slot, std::int64_t r0, std::int64_t r1);
void attention_rows(const float* q, const std::uint16_t* k, const std::uint16_t* v, const AttentionShape& s,
                    float* out, float* scratch, int slot, std::int64_t r0, std::int64_t r1);
void attention(const float* q, const float* k, const float* v, const AttentionShape& s, float* out,
               float* scratch, const std::uint8_t* key_mask = nullptr);
void attention(const float* q, const std::uint16_t* k, const std::uint16_t* v, const AttentionShape& s,
               float* out, float* scratch, const std::uint8_t* key_mask = nullptr);

// Threads used by kernels called from the current thread (0: all cores). oneDNN and our own
// OpenMP regions both honour it.
void set_num_threads(int n);
int num_threads();
// [begin, end): the share of thread `part` of `parts` of n items, boundaries multiples of `align`
// (every thread's share but the last is a whole number of aligned units; shares differ by at most one).
void share(std::int64_t n, int parts, int part, std::int64_t align, std::int64_t& begin, std::int64_t& end);

}  // namespace nib::kernels
