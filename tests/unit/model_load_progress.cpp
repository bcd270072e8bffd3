// Model::load reports progress from 0 to 1 as the weights are bound, and a false return cancels
// the load with Status::Cancelled (leaving nothing half-loaded: a later load works).
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/model.hpp>

#include <vector>

#include "shared_data.hpp"

TEST_CASE("load progress runs from 0 to 1, rising, with steps for the weights") {
  std::vector<float> seen;
  nib::LoadOptions o;
  o.progress = [&](float p) {
    seen.push_back(p);
    return true;
  };
  auto model = nib::Model::load(nib::test::shared_path("models/tiny-llama"), o);
  REQUIRE(seen.size() > 4);  // 0, the opened folder, one per weight tensor, 1
  CHECK(seen.front() == 0.f);
  CHECK(seen.back() == 1.f);
  for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i] > seen[i - 1]);
  CHECK(model.info().num_layers > 0);
}

TEST_CASE("a progress callback returning false cancels the load; the next load works") {
  const auto dir = nib::test::shared_path("models/tiny-bert");
  for (const int cancel_at : {0, 1, 3}) {
    CAPTURE(cancel_at);
    int calls = 0;
    nib::LoadOptions o;
    o.progress = [&](float) { return calls++ < cancel_at; };
    try {
      (void)nib::Model::load(dir, o);
      FAIL("the load was not cancelled");
    } catch (const nib::Error& e) {
      CHECK(e.status() == nib::Status::Cancelled);
      CHECK(std::string(e.what()).find("cancelled") != std::string::npos);
    }
    CHECK(calls == cancel_at + 1);
  }
  CHECK(nib::Model::load(dir).info().hidden_size > 0);
}
