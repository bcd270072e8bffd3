#pragma once
// Evaluation for head training: seeded stratified k-fold assignment and held-out splits,
// accuracy, macro-F1 and the confusion matrix.
#include <cstdint>
#include <string>
#include <vector>

namespace nib::detail {

// Fold of each example in [0, folds): examples are grouped by `strata` (the label, or the label set
// for multi-label), each group shuffled with `seed` and dealt round-robin, continuing across
// groups, so every fold gets a near-equal share of each class.
std::vector<int> stratified_folds(const std::vector<std::string>& strata, int folds, std::uint64_t seed);

// Single-label predictions: [true][predicted] counts, accuracy, and the mean over labels of each
// label's F1 (0 for a label neither present nor predicted).
std::vector<std::vector<std::int64_t>> confusion_matrix(const std::vector<int>& truth,
                                                        const std::vector<int>& predicted, int labels);
double accuracy(const std::vector<std::vector<std::int64_t>>& confusion);
double macro_f1(const std::vector<std::vector<std::int64_t>>& confusion);

// Multi-label predictions as [example][label] booleans: exact-match accuracy, macro F1 over labels.
double subset_accuracy(const std::vector<std::vector<bool>>& truth,
                       const std::vector<std::vector<bool>>& predicted);
double multi_label_macro_f1(const std::vector<std::vector<bool>>& truth,
                            const std::vector<std::vector<bool>>& predicted);

}  // namespace nib::detail
