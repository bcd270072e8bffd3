#include "runtime/head_metrics.hpp"

#include <map>
#include <numeric>

namespace nib::detail {

namespace {

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double f1(std::int64_t tp, std::int64_t fp, std::int64_t fn) {
  const auto denom = 2 * tp + fp + fn;
  return denom == 0 ? 0.0 : 2.0 * static_cast<double>(tp) / static_cast<double>(denom);
}

}  // namespace

std::vector<int> stratified_folds(const std::vector<std::string>& strata, int folds, std::uint64_t seed) {
  std::map<std::string, std::vector<std::size_t>> groups;  // sorted: independent of example order
  for (std::size_t i = 0; i < strata.size(); ++i) groups[strata[i]].push_back(i);
  std::vector<int> fold(strata.size(), 0);
  std::uint64_t state = seed;
  int next = 0;
  for (auto& [key, members] : groups) {
    for (std::size_t i = members.size(); i > 1; --i) {  // Fisher-Yates with our own stream
      std::swap(members[i - 1], members[splitmix(state) % i]);
    }
    for (auto m : members) {
      fold[m] = next;
      next = (next + 1) % folds;
    }
  }
  return fold;
}

std::vector<std::vector<std::int64_t>> confusion_matrix(const std::vector<int>& truth,
                                                        const std::vector<int>& predicted, int labels) {
  std::vector<std::vector<std::int64_t>> c(static_cast<std::size_t>(labels),
                                           std::vector<std::int64_t>(static_cast<std::size_t>(labels), 0));
  for (std::size_t i = 0; i < truth.size(); ++i) {
    ++c[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(predicted[i])];
  }
  return c;
}

double accuracy(const std::vector<std::vector<std::int64_t>>& c) {
  std::int64_t right = 0, total = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    right += c[i][i];
    total += std::accumulate(c[i].begin(), c[i].end(), std::int64_t{0});
  }
  return total ? static_cast<double>(right) / static_cast<double>(total) : 0.0;
}

double macro_f1(const std::vector<std::vector<std::int64_t>>& c) {
  if (c.empty()) return 0;
  double sum = 0;
  for (std::size_t k = 0; k < c.size(); ++k) {
    std::int64_t fp = 0, fn = 0;
    for (std::size_t j = 0; j < c.size(); ++j) {
      if (j == k) continue;
      fp += c[j][k];
      fn += c[k][j];
    }
    sum += f1(c[k][k], fp, fn);
  }
  return sum / static_cast<double>(c.size());
}

double subset_accuracy(const std::vector<std::vector<bool>>& truth,
                       const std::vector<std::vector<bool>>& predicted) {
  if (truth.empty()) return 0;
  std::size_t right = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) right += truth[i] == predicted[i];
  return static_cast<double>(right) / static_cast<double>(truth.size());
}

double multi_label_macro_f1(const std::vector<std::vector<bool>>& truth,
                            const std::vector<std::vector<bool>>& predicted) {
  if (truth.empty() || truth[0].empty()) return 0;
  const auto labels = truth[0].size();
  double sum = 0;
  for (std::size_t k = 0; k < labels; ++k) {
    std::int64_t tp = 0, fp = 0, fn = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
      tp += truth[i][k] && predicted[i][k];
      fp += !truth[i][k] && predicted[i][k];
      fn += truth[i][k] && !predicted[i][k];
    }
    sum += f1(tp, fp, fn);
  }
  return sum / static_cast<double>(labels);
}

}  // namespace nib::detail
