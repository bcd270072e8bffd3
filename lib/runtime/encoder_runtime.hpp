#pragma once
// The encoder half of a Session: reusable batch and activation buffers.
#include <vector>

#include "models/encoder.hpp"

namespace nib::detail {

class EncoderRuntime {
 public:
  models::EncoderBatch batch;
  std::vector<float> hidden;
  std::vector<float> logits;
};

}  // namespace nib::detail
