#pragma once
// The encoder half of a Session: reusable batch, activation and head buffers, so repeated calls
// on one session do not reallocate.
#include <optional>
#include <vector>

#include "models/encoder.hpp"
#include "runtime/sentence_pooling.hpp"

namespace nib::detail {

class EncoderRuntime {
 public:
  models::EncoderBatch batch;
  models::EncoderWorkspace workspace;
  std::vector<float> hidden;
  std::vector<float> logits;
  // The folder's sentence-transformers pooling, read on the first embed() call.
  std::optional<std::optional<SentencePooling>> sentence_pooling;
};

}  // namespace nib::detail
