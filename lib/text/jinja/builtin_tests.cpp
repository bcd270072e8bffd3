// jinja2's built-in tests (`x is defined`, `x is not none`, `x is equalto 'user'`, ...).
#include <map>

#include "text/jinja/builtins.hpp"
#include "text/jinja/errors.hpp"
#include "text/jinja/operations.hpp"
#include "text/jinja/pystr.hpp"

namespace nib::jinja {
namespace {

using K = Value::Kind;

Value arg(const Args& a) {
  if (a.size() == 0) fail("test requires an argument");
  return a.positional.empty() ? a.keyword.front().second : a.positional.front();
}

bool t_defined(Render&, const Value& v, const Args&) {
  return !v.is_undefined();
}
bool t_undefined(Render&, const Value& v, const Args&) {
  return v.is_undefined();
}
bool t_none(Render&, const Value& v, const Args&) {
  return v.is_none();
}
bool t_string(Render&, const Value& v, const Args&) {
  return v.is_string();
}
bool t_number(Render&, const Value& v, const Args&) {
  return v.is_number();
}  // bool counts, as in Python
bool t_integer(Render&, const Value& v, const Args&) {
  return v.is_int();
}
bool t_float(Render&, const Value& v, const Args&) {
  return v.is_float();
}
bool t_boolean(Render&, const Value& v, const Args&) {
  return v.is_bool();
}
bool t_true(Render&, const Value& v, const Args&) {
  return v.is_bool() && v.as_bool();
}
bool t_false(Render&, const Value& v, const Args&) {
  return v.is_bool() && !v.as_bool();
}
bool t_mapping(Render&, const Value& v, const Args&) {
  return v.is_dict();
}
// Undefined is iterable (as empty) and sized in jinja2, hence counts for both.
bool t_iterable(Render&, const Value& v, const Args&) {
  return v.is_string() || v.is_list() || v.is_dict() || v.is_undefined();
}
bool t_sequence(Render& r, const Value& v, const Args& a) {
  return t_iterable(r, v, a);
}
bool t_callable(Render&, const Value& v, const Args&) {
  return v.is_function();
}
bool t_eq(Render&, const Value& v, const Args& a) {
  return compare(CompareOp::Eq, v, arg(a));
}
bool t_ne(Render&, const Value& v, const Args& a) {
  return compare(CompareOp::Ne, v, arg(a));
}
bool t_lt(Render&, const Value& v, const Args& a) {
  return compare(CompareOp::Lt, v, arg(a));
}
bool t_le(Render&, const Value& v, const Args& a) {
  return compare(CompareOp::Le, v, arg(a));
}
bool t_gt(Render&, const Value& v, const Args& a) {
  return compare(CompareOp::Gt, v, arg(a));
}
bool t_ge(Render&, const Value& v, const Args& a) {
  return compare(CompareOp::Ge, v, arg(a));
}
bool t_in(Render&, const Value& v, const Args& a) {
  return contains(arg(a), v);
}

std::int64_t int_operand(const Value& v) {
  require_defined(v);
  if (!v.is_int() && !v.is_bool()) fail(std::string("test needs an integer, not ") + type_name(v));
  return v.as_int();
}
bool t_odd(Render&, const Value& v, const Args&) {
  return int_operand(v) % 2 != 0;
}
bool t_even(Render&, const Value& v, const Args&) {
  return int_operand(v) % 2 == 0;
}
bool t_divisibleby(Render&, const Value& v, const Args& a) {
  std::int64_t d = int_operand(arg(a));
  if (d == 0) fail("integer division or modulo by zero");
  return d == -1 || int_operand(v) % d == 0;
}

// Python identity: singletons compare by value, containers by object.
bool t_sameas(Render&, const Value& v, const Args& a) {
  Value o = arg(a);
  if (v.kind() != o.kind()) return false;
  switch (v.kind()) {
    case K::List: return &v.as_list() == &o.as_list();
    case K::Dict: return &v.as_dict() == &o.as_dict();
    case K::Undefined: return false;
    default: return equals(v, o);
  }
}

bool t_lower(Render&, const Value& v, const Args&) {
  auto s = to_str(v);
  return pystr::lower(s) == s && pystr::upper(s) != s;
}
bool t_upper(Render&, const Value& v, const Args&) {
  auto s = to_str(v);
  return pystr::upper(s) == s && pystr::lower(s) != s;
}
bool t_escaped(Render&, const Value&, const Args&) {
  return false;
}

const std::map<std::string_view, TestFn>& tests() {
  static const std::map<std::string_view, TestFn> table = {
      {"!=", t_ne},
      {"<", t_lt},
      {"<=", t_le},
      {"==", t_eq},
      {">", t_gt},
      {">=", t_ge},
      {"boolean", t_boolean},
      {"callable", t_callable},
      {"defined", t_defined},
      {"divisibleby", t_divisibleby},
      {"eq", t_eq},
      {"equalto", t_eq},
      {"escaped", t_escaped},
      {"even", t_even},
      {"false", t_false},
      {"float", t_float},
      {"ge", t_ge},
      {"greaterthan", t_gt},
      {"gt", t_gt},
      {"in", t_in},
      {"integer", t_integer},
      {"iterable", t_iterable},
      {"le", t_le},
      {"lessthan", t_lt},
      {"lower", t_lower},
      {"lt", t_lt},
      {"mapping", t_mapping},
      {"ne", t_ne},
      {"none", t_none},
      {"number", t_number},
      {"odd", t_odd},
      {"sameas", t_sameas},
      {"sequence", t_sequence},
      {"string", t_string},
      {"true", t_true},
      {"undefined", t_undefined},
      {"upper", t_upper},
  };
  return table;
}

}  // namespace

TestFn find_test(std::string_view name) {
  auto it = tests().find(name);
  return it == tests().end() ? nullptr : it->second;
}

bool apply_test(Render& r, std::string_view name, const Value& operand, const Args& args) {
  TestFn t = find_test(name);
  if (!t) fail("no test named '" + std::string(name) + "'");
  return t(r, operand, args);
}

}  // namespace nib::jinja
