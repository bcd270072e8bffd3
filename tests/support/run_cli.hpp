#pragma once
// Runs build/bin/nib with arguments and returns its stdout (the test fails on a non-zero exit).
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

namespace nib::test {

inline std::string run_cli(const std::string& args, int want_status = 0) {
  const std::string cmd = std::string(NIB_BINARY_DIR) + "/bin/nib " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  CHECK_MESSAGE(WEXITSTATUS(status) == want_status, cmd);
  return out;
}

}  // namespace nib::test
