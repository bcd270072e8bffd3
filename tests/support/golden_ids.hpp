#pragma once
// Token ids as the goldens in ../shared store them: a JSON array of integers.
#include <nib/tokenizer.hpp>
#include <vector>

#include "io/json.hpp"

namespace nib::test {
inline std::vector<nib::TokenId> ids_of(const nib::io::Json& j) {
  return j.get<std::vector<nib::TokenId>>();
}
}  // namespace nib::test
