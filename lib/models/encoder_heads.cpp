#include "models/encoder_heads.hpp"

#include "kernels/kernels.hpp"

namespace nib::models {

kernels::Epilogue epilogue(io::Activation activation) {
  switch (activation) {
    case io::Activation::GeluErf: return kernels::Epilogue::GeluErf;
    case io::Activation::GeluTanh: return kernels::Epilogue::GeluTanh;
    case io::Activation::Relu: return kernels::Epilogue::Relu;
    case io::Activation::Silu: return kernels::Epilogue::Silu;
  }
  return kernels::Epilogue::None;
}

void run_sequence_head(const SequenceHead& head, const float* x, std::int64_t m, float* logits,
                       std::vector<float>& scratch, float* lora, const AdapterView* adapters) {
  const float* in = x;
  if (head.dense) {
    scratch.resize(static_cast<std::size_t>(m * head.dense->w.n));
    apply_linear(*head.dense, x, m, scratch.data(), adapters, lora);
    if (head.activation == PoolActivation::Tanh) {
      kernels::tanh_inplace(scratch.data(), static_cast<std::int64_t>(scratch.size()));
    } else {
      kernels::relu(scratch.data(), static_cast<std::int64_t>(scratch.size()));
    }
    in = scratch.data();
  }
  apply_linear(head.out, in, m, logits, adapters, lora);
}

void run_mlm_head(const MlmHead& head, const float* x, std::int64_t m, float* logits,
                  std::vector<float>& scratch, float* lora, const AdapterView* adapters) {
  const std::int64_t n = head.dense.w.n;
  scratch.resize(static_cast<std::size_t>(m * n));
  apply_linear(head.dense, x, m, scratch.data(), adapters, lora, epilogue(head.activation));
  apply_norm(head.norm, scratch.data(), scratch.data(), m, n);
  apply_linear(head.decoder, scratch.data(), m, logits, adapters, lora);
}

}  // namespace nib::models
