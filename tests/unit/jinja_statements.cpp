// Statements: if/elif/else, for (loop object, filters, unpacking, else, break/continue), set with
// scoping and namespaces, block set, macros, with, filter blocks, generation.
#include <doctest/doctest.h>

#include "jinja_support.hpp"

using nib::test::render;
using nib::test::render_error;

TEST_CASE("if / elif / else") {
  const char* t = "{% if x == 1 %}one{% elif x == 2 %}two{% else %}other{% endif %}";
  CHECK(render(t, R"({"x":1})") == "one");
  CHECK(render(t, R"({"x":2})") == "two");
  CHECK(render(t, R"({"x":3})") == "other");
  CHECK(render("{% if missing %}yes{% else %}no{% endif %}") == "no");
}

TEST_CASE("for loops and the loop object") {
  CHECK(render("{% for x in [1, 2, 3] %}{{ x }}{% endfor %}") == "123");
  CHECK(render("{% for x in 'abc' %}{{ loop.index }}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}") ==
        "1a,2b,3c");
  CHECK(render("{% for x in [5, 6] %}{{ loop.index0 }}{{ loop.first }}{{ loop.length }}{{ loop.revindex }}"
               "{{ loop.revindex0 }}|{% endfor %}") == "0True221|1False210|");
  CHECK(render("{% for x in [1, 2, 3] %}{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }};{% endfor %}") ==
        "<1>2;1<2>3;2<3>;");
  CHECK(render("{% for x in ['a', 'b', 'c'] %}{{ loop.cycle('odd', 'even') }}{% endfor %}") == "oddevenodd");
}

TEST_CASE("filtered loops, unpacking and else") {
  CHECK(render("{% for x in range(10) if x % 3 == 0 %}{{ x }}{% if loop.last %}!{% endif %}{% endfor %}") ==
        "0369!");
  CHECK(render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}") == "a=1;b=2;");
  CHECK(render("{% for (k, v) in [['x', 1]] %}{{ k }}{{ v }}{% endfor %}") == "x1");
  CHECK(render("{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %}") == "ab");
  CHECK(render("{% for x in [] %}x{% else %}empty{% endfor %}") == "empty");
  CHECK(render("{% for x in missing %}x{% endfor %}done") == "done");  // Undefined iterates as empty
  CHECK(render_error("{% for x in none %}{% endfor %}").find("'NoneType' object is not iterable") !=
        std::string::npos);
  CHECK(render_error("{% for a, b in [[1, 2, 3]] %}{% endfor %}").find("too many values") !=
        std::string::npos);
}

TEST_CASE("break and continue") {
  CHECK(render("{% for x in range(10) %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}") == "012");
  CHECK(render("{% for x in range(5) %}{% if x is odd %}{% continue %}{% endif %}{{ x }}{% endfor %}") ==
        "024");
  CHECK(render("{% for x in [1, 2] %}{% for y in [1, 2] %}{% if y == 2 %}{% break %}{% endif %}{{ x }}{{ y }}"
               "{% endfor %}{% endfor %}") == "1121");
}

TEST_CASE("set: scoping, unpacking, namespaces, block set") {
  CHECK(render("{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}") == "2");
  CHECK(render("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}") == "1");  // loop-scoped
  CHECK(render("{% set ns = namespace(x=1) %}{% for i in [1, 2] %}{% set ns.x = ns.x + i %}{% endfor %}{{ "
               "ns.x }}") == "4");
  CHECK(render("{% set ns = namespace() %}{% set ns.found = true %}{{ ns.found }}") == "True");
  CHECK(render("{% set a, b = 1, 2 %}{{ a }}{{ b }}") == "12");
  CHECK(render("{% set t = 1, 2 %}{{ t }}") == "[1, 2]");
  CHECK(render("{% set messages = messages + [1] %}{{ messages | length }}") == "1");
  CHECK(render("{% set body %}Hello {{ 'w' }}{% endset %}[{{ body }}]") == "[Hello w]");
  CHECK(render("{% set body | upper %}abc{% endset %}{{ body }}") == "ABC");
  CHECK(render_error("{% set x = 1 %}{% set x.y = 2 %}").find("non-namespace") != std::string::npos);
}

TEST_CASE("macros") {
  CHECK(render("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}"
               "{{ greet('Ann') }} {{ greet('Bo', punct='?') }} {{ greet(name='Cy') }}") ==
        "Hi Ann! Hi Bo? Hi Cy!");
  CHECK(render("{% macro m(a) %}[{{ a }}]{% endmacro %}{{ m() }}") == "[]");  // missing: undefined
  CHECK(
      render(
          "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1) | int }}{% endif %}{% endmacro %}"
          "{{ fact(5) }}") == "120");
  CHECK(render("{% set g = 'G' %}{% macro m() %}{{ g }}{% endmacro %}{{ m() }}") == "G");
  CHECK(render_error("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}").find("macro 'm'") != std::string::npos);
  CHECK(render_error("{% macro m(a) %}{% endmacro %}{{ m(b=1) }}").find("keyword argument 'b'") !=
        std::string::npos);
}

TEST_CASE("with, filter blocks and generation") {
  CHECK(render("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]") == "3[]");
  CHECK(render("{% filter upper %}abc{{ 'd' }}{% endfilter %}") == "ABCD");
  CHECK(render("{% generation %}reply{% endgeneration %}") == "reply");
}

TEST_CASE("raise_exception carries the template's message verbatim") {
  CHECK(render_error("{{ raise_exception('Roles must alternate') }}") == "Roles must alternate");
  try {
    render("{% if true %}{{ raise_exception('boom') }}{% endif %}");
    FAIL("expected an error");
  } catch (const nib::Error& e) {
    CHECK(e.status() == nib::Status::Format);
    CHECK(std::string(e.what()) == "boom");
  }
}
