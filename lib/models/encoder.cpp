#include "models/encoder.hpp"

namespace nib::models {

// TEMPORARY until the BERT/DistilBERT implementations land: no architecture is built.
std::unique_ptr<Encoder> make_encoder(const io::ModelConfig&, WeightBinder&) {
  return nullptr;
}

}  // namespace nib::models
