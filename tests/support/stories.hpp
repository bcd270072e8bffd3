#pragma once
// What the generation tests share: the stories260K model (a real trained model from ../shared), the
// prompt they start from and greedy options.
#include <nib/model.hpp>
#include <nib/session.hpp>
#include <vector>

namespace nib::test {
// stories260K, loaded once per test binary.
const nib::Model& stories();
// "Once upon a time" with BOS; greedy continues ", there was a little girl named Lily. She loved ..."
inline const std::vector<nib::TokenId> kOnce{1, 403, 407, 261, 378};
// Greedy decoding of n new tokens that does not stop at EOS.
nib::GenerateOptions greedy(int n);
}  // namespace nib::test
