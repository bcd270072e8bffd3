#pragma once
// Labelled examples for `nib train-head`: TSV lines `label<TAB>text`, or JSON lines
// {"text": ..., "label": ...} ("label" may be an array, or "labels" given, for multi-label data;
// in TSV, multi-label labels are separated by commas). The format is JSON lines when the first
// non-empty line starts with '{'. Blank lines are skipped; errors name the file and line.
#include <nib/head.hpp>

#include <filesystem>
#include <vector>

namespace nib::cli {

std::vector<LabelledText> read_training_data(const std::filesystem::path& file, bool multi_label);

}  // namespace nib::cli
