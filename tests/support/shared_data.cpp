#include "shared_data.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

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

std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::path(NIB_BINARY_DIR) / "test-scratch" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace nib::test
