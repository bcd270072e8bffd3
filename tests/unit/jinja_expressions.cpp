// Expressions: literals, operators with Python semantics, attribute/item access, slicing,
// conditionals, calls, Undefined, and the str/dict methods templates call.
#include <doctest/doctest.h>

#include "jinja_support.hpp"

using nib::test::render;
using nib::test::render_error;

TEST_CASE("literals print like Python") {
  CHECK(render("{{ 42 }} {{ -7 }} {{ 1_000 }} {{ 1.5 }} {{ 2.0 }} {{ 1e20 }} {{ 0.0001 }}") ==
        "42 -7 1000 1.5 2.0 1e+20 0.0001");
  CHECK(render("{{ true }} {{ False }} {{ none }} {{ None }}") == "True False None None");
  CHECK(render(R"({{ 'a\nb' }}|{{ "q\"q" }}|{{ 'it\'s' }}|{{ '\u00e9\t' }}|{{ 'x' 'y' }})") ==
        "a\nb|q\"q|it's|\xc3\xa9\t|xy");
  CHECK(render("{{ [1, 'a', none, true] }}") == "[1, 'a', None, True]");
  CHECK(render("{{ {'k': 'v', 'n': [1]} }}") == "{'k': 'v', 'n': [1]}");
  CHECK(render("{{ (1, 2) }} {{ () }}") == "[1, 2] []");
  CHECK(render("{{ \"it's\" }} {{ [\"it's\"] }}") == "it's [\"it's\"]");
}

TEST_CASE("arithmetic and string operators") {
  CHECK(render("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }}") ==
        "7 9 3 -4 1 2");
  CHECK(render("{{ 7 / 2 }} {{ 2 ** 10 }} {{ 1 + 1.5 }} {{ 10 - 3 }} {{ -(3) }} {{ +4 }}") ==
        "3.5 1024 2.5 7 -3 4");
  CHECK(render("{{ 'a' + 'b' }} {{ 'ab' * 3 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 1 ~ 'x' ~ none }}") ==
        "ab ababab [1, 1] [1, 2] 1xNone");
  CHECK(render("{{ true + 1 }}") == "2");
  CHECK(render_error("{{ 'a' + 1 }}").find("can only concatenate str") != std::string::npos);
  CHECK(render_error("{{ 1 / 0 }}").find("division by zero") != std::string::npos);
  CHECK(render_error("{{ 9223372036854775807 + 1 }}").find("overflow") != std::string::npos);
}

TEST_CASE("comparisons, membership and logic") {
  CHECK(render("{{ 1 == 1.0 }} {{ 1 != 2 }} {{ 'a' < 'b' }} {{ 2 >= 3 }} {{ 1 < 2 < 3 }} {{ [1, 2] == [1, 2] "
               "}}") == "True True True False True True");
  CHECK(render("{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }}") ==
        "True True True True");
  CHECK(render("{{ 0 or 'x' }} {{ 1 and 'y' }} {{ '' and 'z' }} {{ not '' }} {{ not 1 == 2 }}") ==
        "x y  True True");
  CHECK(render("{{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1} }}") == "True");
  CHECK(render_error("{{ 1 < 'a' }}").find("not supported between") != std::string::npos);
}

TEST_CASE("attribute and item access, slicing") {
  const char* vars = R"({"m": {"role": "user", "content": "hi", "list": [10, 20, 30]}, "s": "héllo"})";
  CHECK(render("{{ m.role }} {{ m['content'] }} {{ m.list[1] }} {{ m.list[-1] }} {{ m.list.0 }}", vars) ==
        "user hi 20 30 10");
  CHECK(render("{{ m.list[1:] }} {{ m.list[:-1] }} {{ m.list[::-1] }} {{ m.list[5:] }}", vars) ==
        "[20, 30] [10, 20] [30, 20, 10] []");
  CHECK(render("{{ s[1] }} {{ s[1:3] }} {{ s[-2:] }} {{ s[::2] }}", vars) == "é él lo hlo");
  CHECK(render("[{{ m.missing }}][{{ m['missing'] }}][{{ m.list[9] }}]", vars) == "[][][]");
  CHECK(render("{{ m.missing is defined }} {{ none.x is defined }}", vars) == "False False");
  CHECK(render_error("{{ m.missing.deeper }}", vars).find("has no attribute 'missing'") != std::string::npos);
  CHECK(render_error("{{ nothing.x }}").find("'nothing' is undefined") != std::string::npos);
}

TEST_CASE("conditional expressions and Undefined") {
  CHECK(render("{{ 'yes' if 1 else 'no' }} {{ 'yes' if 0 else 'no' }} [{{ 'x' if false }}]") == "yes no []");
  CHECK(render("[{{ undefined_name }}] {{ undefined_name is defined }} {{ undefined_name | length }}") ==
        "[] False 0");
  CHECK(render("{{ undefined_name == undefined_other }}") == "True");
  CHECK(render_error("{{ undefined_name + 1 }}").find("'undefined_name' is undefined") != std::string::npos);
  CHECK(render_error("{{ undefined_name() }}") != "");
}

TEST_CASE("Python string methods") {
  CHECK(
      render(
          "[{{ '  a b  '.strip() }}][{{ 'xxaxx'.strip('x') }}][{{ ' a'.lstrip() }}][{{ 'a '.rstrip() }}]") ==
      "[a b][a][a][a]");
  CHECK(render("{{ 'a,b,,c'.split(',') }} {{ '  a  b '.split() }} {{ 'a b c'.split(' ', 1) }}") ==
        "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c']");
  CHECK(render("{{ 'x</think>y'.split('</think>')[-1] }}") == "y");
  CHECK(
      render("{{ 'abc'.startswith('ab') }} {{ 'abc'.endswith('bc') }} {{ 'abc'.startswith(('x', 'a')) }}") ==
      "True True True");
  CHECK(
      render(
          "{{ 'aBc'.upper() }} {{ 'ÀBC'.lower() }} {{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }}") ==
      "ABC àbc Hello World Hello");
  CHECK(render("{{ 'a-b-c'.replace('-', '+') }} {{ 'a-b-c'.replace('-', '', 1) }}") == "a+b+c ab-c");
  CHECK(render("{{ 'abcb'.find('b') }} {{ 'abcb'.count('b') }} {{ ', '.join(['x', 'y']) }}") == "1 2 x, y");
}

TEST_CASE("Python dict methods") {
  const char* vars = R"({"d": {"a": 1, "b": [2]}})";
  CHECK(render("{{ d.items() }} {{ d.keys() }} {{ d.values() }}", vars) ==
        "[['a', 1], ['b', [2]]] ['a', 'b'] [1, [2]]");
  CHECK(render("{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }}", vars) == "1 None 0");
  CHECK(render_error("{{ [1].append(2) }}") != "");  // immutable sandbox: no mutating methods
}
