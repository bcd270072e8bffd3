#pragma once
// The identity of a model's weights, for files trained against them (task heads): a 64-bit hash of
// every tensor's name, dtype, shape and data bytes in name order, as 16 hex digits. It depends
// only on the tensors, not on how they are split into files or ordered in the header.
#include <string>

#include "io/weight_store.hpp"

namespace nib::detail {

std::string weights_checksum(const io::WeightStore& weights);

}  // namespace nib::detail
