// StopMatcher: stop strings spanning pieces, held-back text released when it cannot match.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nib/error.hpp>

#include "runtime/stop_strings.hpp"

namespace {

std::string feed(nib::detail::StopMatcher& m, const std::vector<std::string>& pieces, bool finish = true) {
  std::string shown;
  for (const auto& p : pieces) {
    shown += m.push(p);
    if (m.stopped()) return shown;
  }
  if (finish) shown += m.finish();
  return shown;
}

}  // namespace

TEST_CASE("a stop string spanning pieces ends the text before it") {
  std::vector<std::string> stops{"END"};
  nib::detail::StopMatcher m(stops);
  CHECK(m.push("abc E") == "abc ");  // "E" could start the stop string: held back
  CHECK(m.push("N") == "");
  CHECK(m.push("Dxyz") == "");
  CHECK(m.stopped());
  CHECK(m.text() == "abc ");
}

TEST_CASE("held-back text is released once it cannot match") {
  std::vector<std::string> stops{"END", "\n\n"};
  nib::detail::StopMatcher m(stops);
  CHECK(m.push("x\n") == "x");
  CHECK(m.push("y EN") == "\ny ");
  CHECK(m.push("d") == "ENd");
  CHECK(feed(m, {"\n"}, true) == "\n");
  CHECK(!m.stopped());
  CHECK(m.text() == "x\ny ENd\n");
}

TEST_CASE("the earliest of several stop strings wins, even inside one piece") {
  std::vector<std::string> stops{"cd", "b"};
  nib::detail::StopMatcher m(stops);
  CHECK(feed(m, {"abcd"}) == "a");
  CHECK(m.text() == "a");
}

TEST_CASE("no stop strings passes everything through") {
  nib::detail::StopMatcher m({});
  CHECK(feed(m, {"a", "b"}) == "ab");
}

TEST_CASE("an empty stop string is InvalidArgument") {
  std::vector<std::string> stops{""};
  CHECK_THROWS_AS(nib::detail::StopMatcher{stops}, nib::Error);
}
