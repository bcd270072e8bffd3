#include "shared_data.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <system_error>

namespace nib::test {

std::filesystem::path shared_dir() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("NIB_SHARED"); env && *env) {
    dir = env;
  } else {
    dir = std::filesystem::path(NIB_SOURCE_DIR).parent_path() / "shared";
  }
  if (!std::filesystem::is_directory(dir / "models")) {
    FAIL("test data not found at " << dir.string()
                                   << ": set NIB_SHARED to the shared/ folder (models, tokenizers, goldens)");
  }
  return dir;
}

std::filesystem::path shared_path(const std::string& relative) {
  auto p = shared_dir() / relative;
  REQUIRE_MESSAGE(std::filesystem::exists(p), "missing shared test data: " << p.string());
  return p;
}

namespace {
// This process's own scratch tree (ctest runs some test files in two processes at once: their .avx2
// variants), removed when the process exits.
struct ScratchRoot {
  std::filesystem::path path =
      std::filesystem::path(NIB_BINARY_DIR) / "test-scratch" / std::to_string(static_cast<long>(::getpid()));
  ~ScratchRoot() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};
}  // namespace

std::filesystem::path scratch_dir(const std::string& name) {
  static const ScratchRoot root;
  auto dir = root.path / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace nib::test
