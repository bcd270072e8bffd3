#pragma once
// A bidirectional encoder (BERT, RoBERTa/XLM-R, DistilBERT) with its task head: a padded batch of
// token ids in, hidden states and head outputs out.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "io/model_config.hpp"
#include "models/blocks.hpp"
#include "models/weight_binder.hpp"

namespace nib::models {

// A right-padded batch: ids, attention mask and token type ids, each [batch, seq_len].
struct EncoderBatch {
  std::int64_t batch = 0, seq_len = 0;
  std::vector<std::int32_t> ids;
  std::vector<std::uint8_t> mask;
  std::vector<std::int32_t> type_ids;
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  virtual const io::ModelConfig& config() const = 0;
  virtual const ModuleRegistry& modules() const = 0;

  // Final hidden states [batch, seq_len, hidden] (after the last layer).
  virtual void encode(const EncoderBatch& batch, std::vector<float>& hidden,
                      const AdapterView* adapters) const = 0;
  // Sequence-classification logits [batch, num_labels] from hidden states (pooler + classifier).
  virtual void classify(const EncoderBatch& batch, const std::vector<float>& hidden,
                        std::vector<float>& logits, const AdapterView* adapters) const = 0;
  // Per-token head logits [batch, seq_len, n] (MLM: n = vocab; token classification: n = labels).
  virtual void token_logits(const EncoderBatch& batch, const std::vector<float>& hidden,
                            std::vector<float>& logits, const AdapterView* adapters) const = 0;
};

std::unique_ptr<Encoder> make_encoder(const io::ModelConfig& config, WeightBinder& weights);

}  // namespace nib::models
