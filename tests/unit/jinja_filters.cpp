// Filters, tests and globals, with jinja2's and transformers' semantics.
#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <vector>

#include "jinja_support.hpp"

using nib::test::render;
using nib::test::render_error;

TEST_CASE("string filters") {
  CHECK(render("[{{ '  x \n' | trim }}][{{ 'xxaxx' | trim('x') }}]") == "[x][a]");
  CHECK(render("{{ 'aB' | upper }} {{ 'aB' | lower }} {{ 'hello big-world' | title }} {{ 'hELLO' | "
               "capitalize }}") == "AB ab Hello Big-World Hello");
  CHECK(render("{{ 'a-b' | replace('-', '+') }} {{ 42 | string }} {{ none | string }}") == "a+b 42 None");
  CHECK(render("{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}|{{ 'a\n\nb' | indent(2, "
               "blank=true) }}") == "a\n  b\n\n  c|  a\n  b|a\n  \n  b");
  CHECK(render("{{ '<a href=\"x\">' | escape }}") == "&lt;a href=&#34;x&#34;&gt;");
}

TEST_CASE("sequence filters") {
  CHECK(render("{{ 'héllo' | length }} {{ [1, 2] | length }} {{ {'a': 1} | count }}") == "5 2 1");
  CHECK(render("{{ [1, 2, 3] | join(', ') }} {{ ['a', 'b'] | join }} {{ [{'n': 'x'}, {'n': 'y'}] | join('-', "
               "attribute='n') }}") == "1, 2, 3 ab x-y");
  CHECK(render("{{ [3, 1, 2] | first }} {{ [3, 1, 2] | last }} {{ 'abc' | list }} {{ [3, 1, 2] | sort }}") ==
        "3 2 ['a', 'b', 'c'] [1, 2, 3]");
  CHECK(render("{{ {'a': 1, 'b': 2} | items | list }}") == "[['a', 1], ['b', 2]]");
  CHECK(render("{{ [1, 2, 3] | reverse | list }} {{ [1, 2, 2, 1] | unique | list }} {{ [1, 2, 3] | sum }}") ==
        "[3, 2, 1] [1, 2] 6");
  CHECK(render("{{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} {{ [1, none, 0, 'a'] | select | list }}") ==
        "1 3 [1, 'a']");
}

TEST_CASE("select, reject, selectattr, rejectattr, map") {
  const char* vars =
      R"({"ms": [{"role": "user", "n": 1}, {"role": "assistant", "n": 2}, {"role": "user", "n": 3}]})";
  CHECK(render("{{ ms | selectattr('role', 'equalto', 'user') | map(attribute='n') | list }}", vars) ==
        "[1, 3]");
  CHECK(render("{{ ms | rejectattr('role', 'eq', 'user') | map(attribute='n') | list }}", vars) == "[2]");
  CHECK(render("{{ ms | selectattr('missing') | list }}", vars) == "[]");
  CHECK(render("{{ ['a', 'code_interpreter', 'b'] | reject('equalto', 'code_interpreter') | join(', ') }}") ==
        "a, b");
  CHECK(render("{{ range(6) | select('odd') | list }} {{ ['a', 'b'] | map('upper') | list }}") ==
        "[1, 3, 5] ['A', 'B']");
  CHECK(render("{{ ms | map(attribute='x', default='-') | join }}", vars) == "---");
}

TEST_CASE("default, int, float, abs, round") {
  CHECK(render("{{ missing | default('d') }} {{ '' | default('d') }} {{ '' | default('d', true) }} {{ x | "
               "d(1) }}") == "d  d 1");
  CHECK(render("{{ '42' | int }} {{ '3.7' | int }} {{ 'x' | int }} {{ 'x' | int(5) }} {{ 2.9 | int }}") ==
        "42 3 0 5 2");
  CHECK(
      render("{{ '1.5' | float }} {{ 2 | float }} {{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }}") ==
      "1.5 2.0 3 2.57 2.0");
}

TEST_CASE("tojson is Python's json.dumps") {
  const char* vars =
      R"({"t": {"name": "f", "d": "Zürich \"q\" \n", "n": [1, 2.5, true, null], "e": {}, "l": []}})";
  CHECK(render("{{ t | tojson }}", vars) ==
        R"({"name": "f", "d": "Zürich \"q\" \n", "n": [1, 2.5, true, null], "e": {}, "l": []})");
  CHECK(render("{{ {'b': 1, 'a': [1, {'c': 2}]} | tojson(indent=2) }}") ==
        "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    {\n      \"c\": 2\n    }\n  ]\n}");
  CHECK(render("{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}") == R"({"a": 2, "b": 1})");
  CHECK(render("{{ {'a': [1, 2]} | tojson(separators=(',', ':')) }}") == R"({"a":[1,2]})");
  CHECK(render("{{ 'é😀' | tojson(ensure_ascii=true) }} {{ '<&>' | tojson }}") ==
        R"("\u00e9\ud83d\ude00" "<&>")");
  CHECK(render("{{ {1: 'x', none: 'y'} | tojson }} {{ 1e100 | tojson }} {{ '\x01' | tojson }}") ==
        R"({"1": "x", "null": "y"} 1e+100 "\u0001")");
  CHECK(render_error("{{ missing | tojson }}").find("not JSON serializable") != std::string::npos);
}

TEST_CASE("tests") {
  const char* vars = R"({"s": "x", "n": null, "d": {"a": 1}, "l": [1], "i": 3, "f": 1.5, "b": true})";
  CHECK(
      render(
          "{{ s is defined }} {{ zz is defined }} {{ zz is undefined }} {{ n is none }} {{ s is not none }}",
          vars) == "True False True True True");
  CHECK(render("{{ s is string }} {{ i is string }} {{ i is number }} {{ f is number }} {{ i is integer }} "
               "{{ f is float }} {{ b is boolean }}",
               vars) == "True False True True True True True");
  CHECK(
      render(
          "{{ d is mapping }} {{ l is mapping }} {{ l is iterable }} {{ s is iterable }} {{ i is iterable }} "
          "{{ l is sequence }}",
          vars) == "True False True True False True");
  CHECK(render("{{ b is true }} {{ b is false }} {{ i is equalto 3 }} {{ i is eq(4) }} {{ i is odd }} "
               "{{ i is even }} {{ 9 is divisibleby 3 }}",
               vars) == "True False True False True False True");
  CHECK(render("{{ 2 is in [1, 2] }} {{ n is sameas none }} {{ 'ab' is lower }} {{ 'AB' is upper }} "
               "{{ range is callable }}",
               vars) == "True True True True True");
  CHECK(render("{{ not s is defined }} {{ i is gt 2 }} {{ i is lt 2 }}", vars) == "False True False");
  CHECK(render_error("{{ 1 is no_such_test }}").find("no test named") != std::string::npos);
  CHECK(render_error("{{ 1 | no_such_filter }}").find("no filter named") != std::string::npos);
}

TEST_CASE("globals: range, dict, namespace, strftime_now") {
  CHECK(render("{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(3, 0, -1) | list }}") ==
        "[0, 1, 2] [1, 3, 5] [3, 2, 1]");
  CHECK(render("{{ dict(a=1, b='x') }} {{ namespace(a=1).a }}") == "{'a': 1, 'b': 'x'} 1");
  nib::ChatOptions options;
  std::tm tm{};
  tm.tm_year = 2024 - 1900;
  tm.tm_mon = 8;
  tm.tm_mday = 12;
  tm.tm_hour = 10;
  tm.tm_min = 30;
  tm.tm_isdst = -1;
  options.now = std::chrono::system_clock::from_time_t(std::mktime(&tm));
  auto t = nib::ChatTemplate::from_source("{{ strftime_now('%d %b %Y %H:%M') }}");
  CHECK(t.render({}, options) == "12 Sep 2024 10:30");
}

TEST_CASE("chat variables: messages, add_generation_prompt, tools, special tokens") {
  auto t = nib::ChatTemplate::from_source(
      "{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m['content'] }}{% endfor %}"
      "{% if add_generation_prompt %}<assistant>{% endif %}{{ tools is none }}{{ eos_token is defined }}",
      {{"bos_token", "<s>"}});
  std::vector<nib::Message> ms{{"user", "hi"}};
  nib::ChatOptions options;
  options.add_generation_prompt = true;
  CHECK(t.render(ms, options) == "<s><user>hi<assistant>TrueFalse");
  options.tools_json = R"([{"name": "f"}])";
  options.variables_json = R"({"eos_token": "</s>"})";
  CHECK(t.render(ms, options) == "<s><user>hi<assistant>FalseTrue");
  options.tools_json = "[oops";
  CHECK_THROWS_AS(t.render(ms, options), nib::Error);
}
