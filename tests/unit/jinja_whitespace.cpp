// Template text and whitespace control: trim_blocks, lstrip_blocks, `-`/`+` markers, comments, raw.
#include <doctest/doctest.h>

#include "jinja_support.hpp"

using nib::test::render;

TEST_CASE("plain text and the trailing newline") {
  CHECK(render("hello") == "hello");
  CHECK(render("hello\n") == "hello");  // keep_trailing_newline=False drops one
  CHECK(render("hello\n\n") == "hello\n");
  CHECK(render("a\r\nb") == "a\nb");
  CHECK(render("") == "");
}

TEST_CASE("trim_blocks drops the first newline after a block or comment tag") {
  CHECK(render("{% if true %}\nyes\n{% endif %}\nafter") == "yes\nafter");
  CHECK(render("{# note #}\ntext") == "text");
  CHECK(render("{{ 'x' }}\ny") == "x\ny");  // not after a variable tag
  CHECK(render("{% if true +%}\nyes{% endif %}") == "\nyes");
}

TEST_CASE("lstrip_blocks drops indentation before a block tag on its own line") {
  CHECK(render("a\n    {% if true %}\n    b\n    {% endif %}\nc") == "a\n    b\nc");
  CHECK(render("  {% if true %}x{% endif %}") == "x");
  CHECK(render("a  {% if true %}x{% endif %}") == "a  x");       // not at line start
  CHECK(render("a\n  {{ 'x' }}") == "a\n  x");                   // not for variables
  CHECK(render("a\n  {%+ if true %}x{% endif %}") == "a\n  x");  // `+` keeps it
  CHECK(render("a\n  {# c #}\nb") == "a\nb");
}

TEST_CASE("minus markers strip all whitespace on their side") {
  CHECK(render("a  \n {%- if true -%} \n b {%- endif %}") == "ab");
  CHECK(render("x\n\n  {{- 'y' -}}  \n\nz") == "xyz");
  CHECK(render("{#- c -#}  \n  a") == "a");
}

TEST_CASE("comments and raw blocks") {
  CHECK(render("a{# {{ hidden }} {% if %} #}b") == "ab");
  CHECK(render("{% raw %}{{ not evaluated }}{% if %}{% endraw %}") == "{{ not evaluated }}{% if %}");
  CHECK(render("{%- raw -%}  x  {%- endraw -%}") == "x");
  CHECK(render("{% raw %}\nline\n{% endraw %}\nz") == "line\nz");
}

TEST_CASE("syntax errors name the line") {
  auto err = nib::test::render_error("line1\n{% if true %}\nunterminated");
  CHECK(err.find("line") != std::string::npos);
  CHECK(err.find("endif") != std::string::npos);
  CHECK(nib::test::render_error("{{ 'a' + }}").find("chat template line 1") == 0);
  CHECK(nib::test::render_error("a\nb\n{% unknown %}").find("line 3") != std::string::npos);
  CHECK(nib::test::render_error("{{ 'unterminated }}") != "");
  CHECK(nib::test::render_error("{% endfor %}") != "");
  CHECK(nib::test::render_error("{% break %}").find("outside of a loop") != std::string::npos);
  CHECK(nib::test::render_error("{# open comment") != "");
}
