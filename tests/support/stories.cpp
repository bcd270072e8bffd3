#include "stories.hpp"

#include "shared_data.hpp"

namespace nib::test {

const nib::Model& stories() {
  static const nib::Model m = nib::Model::load(shared_path("models/stories260K"));
  return m;
}

nib::GenerateOptions greedy(int n) {
  nib::GenerateOptions o;
  o.max_new_tokens = n;
  o.stop_at_eos = false;
  return o;
}

}  // namespace nib::test
