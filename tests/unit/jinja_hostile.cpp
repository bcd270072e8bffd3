// Hostile templates fail with a clear nib::Error within bounded time and memory: the interpreter
// caps loop iterations, string and list sizes, output, total work, call and nesting depth, and
// has no way to reach files, the environment or Python objects.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>

#include "jinja_support.hpp"
#include "shared_data.hpp"

using nib::test::render_error;

namespace {
// Fails the test unless the template fails with a message containing `needle`, in bounded time (generous:
// sanitizer builds on shared cores).
void check_bounded_failure(const std::string& source, const std::string& needle) {
  CAPTURE(source.substr(0, 200));
  auto start = std::chrono::steady_clock::now();
  std::string err;
  nib::Status status = nib::Status::Ok;
  try {
    nib::test::render(source);
  } catch (const nib::Error& e) {
    err = e.what();
    status = e.status();
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK_MESSAGE(status == nib::Status::Format, "status " << nib::status_name(status) << ": " << err);
  CHECK_MESSAGE(err.find(needle) != std::string::npos, "error was: " << err);
  CHECK(seconds < 60);
}
}  // namespace

TEST_CASE("infinite-looking loops hit the iteration limit") {
  check_bounded_failure("{% for i in range(1000000000) %}x{% endfor %}", "exceeds");
  check_bounded_failure("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                        "loop iterations");
  check_bounded_failure(
      "{% set ns = namespace(l=[1]) %}{% for i in range(100) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
      "exceeds");
}

TEST_CASE("huge strings and output hit the size limits") {
  check_bounded_failure("{{ 'x' * 1000000000 }}", "exceeds");
  check_bounded_failure("{{ [1] * 1000000000 }}", "exceeds");
  check_bounded_failure(
      "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
      "exceeds");
  check_bounded_failure("{% for i in range(1000000) %}{{ 'y' * 100 }}{% endfor %}", "exceeds");
  check_bounded_failure("{{ ('a' * 1000) | replace('a', 'bbbbbbbbbb' * 10000) }}", "exceeds");
}

TEST_CASE("deep macro recursion hits the call depth limit") {
  check_bounded_failure("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "nest deeper than");
  // Exponential fan-out at a depth under the limit is stopped by the work budget.
  check_bounded_failure(
      "{% macro f(n) %}{% if n < 60 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}",
      "work budget");
}

TEST_CASE("deeply nested source is a syntax error, not a stack overflow") {
  check_bounded_failure("{{ " + std::string(100000, '(') + "1" + std::string(100000, ')') + " }}",
                        "too deep");
  std::string ifs;
  for (int i = 0; i < 5000; ++i) ifs += "{% if true %}";
  check_bounded_failure(ifs, "too deep");
  check_bounded_failure("{{ " + std::string(100000, '-') + "1 }}", "too deep");
  check_bounded_failure("{{ " + std::string(50000, '[') + std::string(50000, ']') + " }}", "too deep");
}

TEST_CASE("no escape from the sandbox") {
  // There is nothing to reach: no include/import/extends, no Python attributes.
  CHECK(render_error("{% include 'x' %}").find("unsupported tag") != std::string::npos);
  CHECK(render_error("{% import 'os' as os %}").find("unsupported tag") != std::string::npos);
  CHECK(nib::test::render("[{{ ''.__class__ }}][{{ range.__globals__ }}]") == "[][]");
  CHECK(render_error("{{ ''.__class__.__mro__ }}") != "");
}

TEST_CASE("malformed templates are format errors naming the construct") {
  struct Case {
    const char* source;
    const char* needle;
  };
  const Case cases[] = {
      {"{% if true %}x", "if"},
      {"{% for m in messages %}{{ m }}", "for"},
      {"{% macro f() %}x", "macro"},
      {"{% set x = %}", "line 1"},
      {"{{ 'unterminated }}", "line 1"},
      {"{{ x | no_such_filter }}", "no_such_filter"},
      {"{% frobnicate %}", "frobnicate"},
      {"{% endif %}", "endif"},
      {"{{ 1 + }}", "line 1"},
      {"line one\n{{ (1 }}", "line 2"},
  };
  for (const auto& c : cases) check_bounded_failure(c.source, c.needle);
}

TEST_CASE("tokenizer_config.json chat templates of the wrong shape name the key") {
  struct Case {
    const char* config;
    nib::Status status;
    const char* needle;
  };
  const Case cases[] = {
      {R"({"chat_template": 5})", nib::Status::Format, "\"chat_template\": expected a string or a list"},
      {R"({"chat_template": [{"name": "default"}]})", nib::Status::Format, "list entries must be"},
      {R"({"chat_template": [{"name": "tool_use", "template": "x"}]})", nib::Status::Format,
       "no template named 'default' (available: tool_use)"},
      {R"({"bos_token": "<s>"})", nib::Status::Unsupported, "no chat_template"},
      {R"({"chat_template": "{% if %}"})", nib::Status::Format, "chat template line 1"},
  };
  for (const auto& c : cases) {
    auto dir = nib::test::scratch_dir("jinja_config");
    std::ofstream(dir / "tokenizer_config.json") << c.config;
    try {
      nib::ChatTemplate::from_tokenizer_config(dir);
      FAIL("accepted " << c.config);
    } catch (const nib::Error& e) {
      CHECK_MESSAGE(e.status() == c.status, e.what());
      CHECK_MESSAGE(std::string(e.what()).find(c.needle) != std::string::npos, e.what());
    }
  }
}
