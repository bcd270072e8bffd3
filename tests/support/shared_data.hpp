#pragma once
#include <filesystem>
#include <string>

namespace nib::test {
// The ../shared folder (models, tokenizers, goldens): $NIB_SHARED, else ../shared beside the repo.
// Fails the calling test with a clear message when it is missing.
std::filesystem::path shared_dir();
std::filesystem::path shared_path(const std::string& relative);
// A fresh empty directory under the build tree for files a test writes (one tree per process).
std::filesystem::path scratch_dir(const std::string& name);
}  // namespace nib::test
