#include "models/rope_frequencies.hpp"

#include <cmath>
#include <numbers>

namespace nib::models {

bool rope_depends_on_length(const io::ModelConfig& c) {
  return c.rope_scaling && c.rope_scaling->type == "dynamic";
}

void rope_inv_freq(const io::ModelConfig& c, std::int64_t seq_len, std::span<float> out) {
  const auto dim = static_cast<double>(c.head_dim);
  double base = c.rope_theta;
  const io::RopeScaling* rs = c.rope_scaling ? &*c.rope_scaling : nullptr;
  if (rs && rs->type == "dynamic" && seq_len > c.max_positions) {
    // NTK-aware: base · ((factor · len / max_pos) − (factor − 1))^(dim / (dim − 2)).
    const double ratio = rs->factor * static_cast<double>(seq_len) / static_cast<double>(c.max_positions);
    base *= std::pow(ratio - (rs->factor - 1.0), dim / (dim - 2.0));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    double f = 1.0 / std::pow(base, static_cast<double>(2 * i) / dim);
    if (rs && rs->type == "linear") {
      f /= rs->factor;  // HF divides positions by the factor; same angles
    } else if (rs && rs->type == "llama3") {
      // Long wavelengths are slowed by `factor`, short ones kept, the band between interpolated.
      const double old_ctx = static_cast<double>(rs->original_max_positions);
      const double wavelen = 2.0 * std::numbers::pi / f;
      const double low_wavelen = old_ctx / rs->low_freq_factor;
      const double high_wavelen = old_ctx / rs->high_freq_factor;
      if (wavelen > low_wavelen) {
        f /= rs->factor;
      } else if (wavelen >= high_wavelen) {
        const double smooth =
            (old_ctx / wavelen - rs->low_freq_factor) / (rs->high_freq_factor - rs->low_freq_factor);
        f = (1.0 - smooth) * f / rs->factor + smooth * f;
      }
    }
    out[i] = static_cast<float>(f);
  }
}

}  // namespace nib::models
