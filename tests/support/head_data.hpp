#pragma once
// Synthetic labelled texts for head-training tests: each class draws its content words from its
// own word list (disjoint across classes), mixed with shared filler words, so a head on any
// reasonable sentence embedding can separate them and the right answer is known.
#include <nib/head.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace nib::test {

// Five words per class: the tiny models' weights are random, so their embeddings are noisy; few
// words and long texts keep the class means apart (measured: 100% held out on every tiny model,
// where 10 words and 4-8 word texts reach only 70-80%).
inline const std::vector<std::vector<std::string>>& class_words() {
  static const std::vector<std::vector<std::string>> words = {
      {"cat", "dog", "horse", "mouse", "bird"},
      {"bread", "apple", "cheese", "soup", "rice"},
      {"car", "train", "boat", "truck", "plane"},
  };
  return words;
}

inline const std::vector<std::string>& class_names() {
  static const std::vector<std::string> names = {"animal", "food", "vehicle"};
  return names;
}

// `per_class` texts for each of the first `classes` classes, interleaved, from a seeded stream.
inline std::vector<LabelledText> synthetic_texts(int classes, int per_class, std::uint32_t seed) {
  static const std::vector<std::string> filler = {"the", "a", "and", "with", "of", "is", "my", "big"};
  std::mt19937 rng(seed);
  std::vector<LabelledText> out;
  for (int i = 0; i < per_class; ++i) {
    for (int c = 0; c < classes; ++c) {
      const auto& words = class_words()[static_cast<std::size_t>(c)];
      std::string text;
      const int n = 24 + static_cast<int>(rng() % 9);
      for (int w = 0; w < n; ++w) {
        const auto& list = rng() % 10 == 0 ? filler : words;
        text += (w ? " " : "") + list[rng() % list.size()];
      }
      out.push_back({text, {class_names()[static_cast<std::size_t>(c)]}});
    }
  }
  return out;
}

}  // namespace nib::test
