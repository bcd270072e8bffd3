#pragma once
// Next-token selection from logits: logit bias, repetition / presence / frequency penalties over a
// window of recent ids, then greedy argmax (temperature 0) or temperature → top-k → top-p → min-p
// and a draw from a seeded generator. Buffers are sized once per vocabulary; sample() never
// allocates.
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <nib/session.hpp>

namespace nib::detail {

// Throws InvalidArgument naming the first impossible field.
void validate(const SamplingOptions& options, std::int64_t vocab_size);

class Sampler {
 public:
  Sampler(const SamplingOptions& options, std::int64_t vocab_size);

  // Picks the next id from logits[vocab] (modified in place) given the ids so far (the penalty
  // window is their tail).
  TokenId sample(std::span<float> logits, std::span<const TokenId> history);

  // The stages, exposed for tests. apply_penalties also applies the logit bias.
  void apply_penalties(std::span<float> logits, std::span<const TokenId> history);
  // Temperature, top-k, top-p, min-p: returns how many candidates survive; ids()[i] and probs()[i]
  // (renormalised) for i below that describe them (ranked best first when top_p < 1).
  std::size_t filter(std::span<const float> logits);
  std::span<const float> probs() const { return probs_; }
  std::span<const TokenId> ids() const { return ids_; }
  // A uniform double in [0, 1) from 53 random bits (identical on every platform, unlike
  // std::uniform_real_distribution).
  double uniform();

 private:
  SamplingOptions o_;
  std::int64_t vocab_;
  std::mt19937_64 rng_;
  std::vector<std::int32_t> counts_;  // per id, within the penalty window (zeroed after use)
  std::vector<TokenId> ids_;          // candidates, best first
  std::vector<float> probs_;
};

// Index of the largest value; the lowest index wins ties (as the goldens' argmax does).
TokenId argmax(std::span<const float> logits);

}  // namespace nib::detail
