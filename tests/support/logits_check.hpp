#pragma once
// Comparing float vectors with the goldens' tolerance |got − want| <= atol + rtol·|want|.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

namespace nib::test {

inline std::vector<float> floats(const nlohmann::json& j) {
  std::vector<float> v;
  v.reserve(j.size());
  for (const auto& x : j) v.push_back(static_cast<float>(x.get<double>()));
  return v;
}

// Largest |got − want| − rtol·|want| (≤ atol means within tolerance); reports the worst index.
inline void check_close(const std::vector<float>& got, const std::vector<float>& want, double atol = 1e-4,
                        double rtol = 1e-4) {
  REQUIRE(got.size() == want.size());
  double worst = 0;
  std::size_t at = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double excess = std::abs(double(got[i]) - double(want[i])) - rtol * std::abs(double(want[i]));
    if (!(excess <= worst)) {
      worst = std::isnan(excess) ? INFINITY : excess;
      at = i;
    }
  }
  INFO("worst at index " << at << ": got " << got[at] << ", want " << want[at]);
  CHECK(worst <= atol);
}

}  // namespace nib::test
