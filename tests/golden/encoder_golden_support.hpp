#pragma once
// Shared pieces of the encoder golden tests: reading goldens, comparing within the goldens'
// tolerance, running id-level tasks on a session.
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "io/json.hpp"
#include "runtime/encoder_tasks.hpp"
#include "shared_data.hpp"

namespace nib::test {

inline io::Json golden(const std::string& relative) {
  return io::read_json_file(shared_path(relative));
}

// |got - want| <= 1e-4 + 1e-4 |want| per element (the goldens' meta.tolerance).
inline void check_close(const std::vector<float>& got, const io::Json& want, const std::string& what) {
  REQUIRE_MESSAGE(got.size() == want.size(), what);
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto w = static_cast<float>(want[i].get<double>());
    CHECK_MESSAGE(std::abs(got[i] - w) <= 1e-4f + 1e-4f * std::abs(w),
                  what << "[" << i << "]: got " << got[i] << ", want " << w);
  }
}

// The unpadded input of a golden case (ids up to the attention mask's last 1).
inline detail::EncoderInput input_of(const io::Json& ids, const io::Json* mask, const io::Json* type_ids) {
  detail::EncoderInput in;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (mask && (*mask)[i].get<int>() == 0) break;
    in.ids.push_back(ids[i].get<TokenId>());
    if (type_ids) in.type_ids.push_back((*type_ids)[i].get<std::int32_t>());
  }
  return in;
}

}  // namespace nib::test
