#include "text/jinja/operations.hpp"

#include <cmath>
#include <optional>

#include "text/jinja/errors.hpp"
#include "text/jinja/methods.hpp"
#include "text/jinja/render.hpp"
#include "text/jinja/utf8.hpp"

namespace nib::jinja {

void fail_undefined(const Value& v) {
  fail(v.as_undefined().hint);
}

void require_defined(const Value& v) {
  if (v.is_undefined()) fail_undefined(v);
}

namespace {

[[noreturn]] void fail_operands(const char* op, const Value& a, const Value& b) {
  fail(std::string("unsupported operand type(s) for ") + op + ": '" + type_name(a) + "' and '" +
       type_name(b) + "'");
}

// Integer arithmetic that fails on overflow instead of wrapping (Python ints do not wrap).
template <class Op>
std::int64_t checked(Op op, std::int64_t x, std::int64_t y) {
  std::int64_t v = 0;
  if (op(x, y, &v)) fail("integer overflow");
  return v;
}
bool add_overflows(std::int64_t x, std::int64_t y, std::int64_t* v) {
  return __builtin_add_overflow(x, y, v);
}
bool sub_overflows(std::int64_t x, std::int64_t y, std::int64_t* v) {
  return __builtin_sub_overflow(x, y, v);
}
bool mul_overflows(std::int64_t x, std::int64_t y, std::int64_t* v) {
  return __builtin_mul_overflow(x, y, v);
}

Value repeat(Render& r, const Value& seq, std::int64_t n) {
  if (n <= 0) return seq.is_string() ? Value("") : make_list({});
  auto count = static_cast<std::size_t>(n);
  if (seq.is_string()) {
    auto& s = seq.as_string();
    if (!s.empty() && count > r.limits().max_output_bytes / s.size() + 1)
      r.check_string(r.limits().max_output_bytes + 1);
    r.check_string(s.size() * count);
    r.charge(s.size() * count);
    std::string out;
    out.reserve(s.size() * count);
    for (std::size_t i = 0; i < count; ++i) out += s;
    return out;
  }
  auto& l = seq.as_list();
  if (!l.empty() && count > r.limits().max_items / l.size() + 1) r.check_items(r.limits().max_items + 1);
  r.check_items(l.size() * count);
  r.charge(l.size() * count);
  List out;
  out.reserve(l.size() * count);
  for (std::size_t i = 0; i < count; ++i) out.insert(out.end(), l.begin(), l.end());
  return make_list(std::move(out));
}

double float_mod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

Value arithmetic(Render& r, BinaryOp op, const Value& a, const Value& b) {
  bool ints = !a.is_float() && !b.is_float();
  std::int64_t x = ints ? a.as_int() : 0, y = ints ? b.as_int() : 0;
  double fx = a.as_double(), fy = b.as_double();
  switch (op) {
    case BinaryOp::Add:
      if (ints) return checked(add_overflows, x, y);
      return fx + fy;
    case BinaryOp::Sub:
      if (ints) return checked(sub_overflows, x, y);
      return fx - fy;
    case BinaryOp::Mul:
      if (ints) return checked(mul_overflows, x, y);
      return fx * fy;
    case BinaryOp::Div:
      if (fy == 0) fail("division by zero");
      return fx / fy;
    case BinaryOp::FloorDiv:
      if (fy == 0) fail("integer division or modulo by zero");
      if (ints) {
        if (x == INT64_MIN && y == -1) fail("integer overflow");
        std::int64_t q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
        return q;
      }
      return std::floor(fx / fy);
    case BinaryOp::Mod:
      if (fy == 0) fail("integer division or modulo by zero");
      if (ints) {
        if (y == -1) return std::int64_t{0};
        std::int64_t m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) m += y;
        return m;
      }
      return float_mod(fx, fy);
    case BinaryOp::Pow: {
      if (ints && y >= 0) {
        std::int64_t result = 1, base = x;
        for (std::int64_t e = y; e > 0; e >>= 1) {
          if (e & 1) result = checked(mul_overflows, result, base);
          if (e > 1) base = checked(mul_overflows, base, base);
        }
        return result;
      }
      if (fx == 0 && fy < 0) fail("0.0 cannot be raised to a negative power");
      return std::pow(fx, fy);
    }
    default: break;
  }
  (void)r;
  fail("bad arithmetic operator");
}

const char* op_symbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::FloorDiv: return "//";
    case BinaryOp::Mod: return "%";
    case BinaryOp::Pow: return "**";
    default: return "?";
  }
}

}  // namespace

Value binary_op(Render& r, BinaryOp op, const Value& a, const Value& b) {
  if (op == BinaryOp::Concat) {
    std::string s = to_str(a);
    std::string t = to_str(b);
    r.check_string(s.size() + t.size());
    r.charge(s.size() + t.size());
    return s + t;
  }
  require_defined(a);
  require_defined(b);
  if (a.is_number() && b.is_number()) return arithmetic(r, op, a, b);
  if (op == BinaryOp::Add) {
    if (a.is_string() && b.is_string()) {
      r.check_string(a.as_string().size() + b.as_string().size());
      r.charge(a.as_string().size() + b.as_string().size());
      return a.as_string() + b.as_string();
    }
    if (a.is_list() && b.is_list()) {
      r.check_items(a.as_list().size() + b.as_list().size());
      r.charge(a.as_list().size() + b.as_list().size());
      List out = a.as_list();
      out.insert(out.end(), b.as_list().begin(), b.as_list().end());
      return make_list(std::move(out));
    }
    if (a.is_string()) fail(std::string("can only concatenate str (not \"") + type_name(b) + "\") to str");
    if (a.is_list()) fail(std::string("can only concatenate list (not \"") + type_name(b) + "\") to list");
  }
  if (op == BinaryOp::Mul) {
    if ((a.is_string() || a.is_list()) && (b.is_int() || b.is_bool())) return repeat(r, a, b.as_int());
    if ((b.is_string() || b.is_list()) && (a.is_int() || a.is_bool())) return repeat(r, b, a.as_int());
  }
  if (op == BinaryOp::Mod && a.is_string()) fail("printf-style string formatting ('%') is not supported");
  fail_operands(op_symbol(op), a, b);
}

namespace {
// -1, 0, 1 for Python's <, ==, > on comparable values.
int order(const Value& a, const Value& b, const char* op) {
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  if (a.is_number() && b.is_number()) {
    if (!a.is_float() && !b.is_float()) return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
    return a.as_double() < b.as_double() ? -1 : a.as_double() > b.as_double() ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());  // UTF-8 byte order == code point order
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_list() && b.is_list()) {
    auto& x = a.as_list();
    auto& y = b.as_list();
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!equals(x[i], y[i])) return order(x[i], y[i], op);
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  fail(std::string("'") + op + "' not supported between instances of '" + type_name(a) + "' and '" +
       type_name(b) + "'");
}
}  // namespace

bool compare(CompareOp op, const Value& a, const Value& b) {
  switch (op) {
    case CompareOp::Eq: return equals(a, b);
    case CompareOp::Ne: return !equals(a, b);
    case CompareOp::Lt: return order(a, b, "<") < 0;
    case CompareOp::Le: return order(a, b, "<=") <= 0;
    case CompareOp::Gt: return order(a, b, ">") > 0;
    case CompareOp::Ge: return order(a, b, ">=") >= 0;
    case CompareOp::In: return contains(b, a);
    case CompareOp::NotIn: return !contains(b, a);
  }
  return false;
}

bool contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Value::Kind::Undefined: return false;  // Undefined iterates as empty
    case Value::Kind::String:
      if (!item.is_string()) {
        fail(std::string("'in <string>' requires string as left operand, not ") + type_name(item));
      }
      return container.as_string().find(item.as_string()) != std::string::npos;
    case Value::Kind::List:
      for (auto& v : container.as_list()) {
        if (equals(v, item)) return true;
      }
      return false;
    case Value::Kind::Dict: return container.as_dict().find(item) != nullptr;
    default: fail(std::string("argument of type '") + type_name(container) + "' is not iterable");
  }
}

Value get_attr(const Value& object, const std::string& name) {
  switch (object.kind()) {
    case Value::Kind::Undefined: fail_undefined(object);
    case Value::Kind::Dict:
      if (has_method(object, name)) return bind_method(object, name);
      if (auto* v = object.as_dict().find_key(name)) return *v;
      break;
    case Value::Kind::Namespace:
      if (auto* v = object.as_namespace().attrs.find_key(name)) return *v;
      break;
    default:
      if (has_method(object, name)) return bind_method(object, name);
  }
  return Undefined{"'" + std::string(type_name(object)) + " object' has no attribute '" + name + "'"};
}

namespace {
// Python index normalisation: negative counts from the end; -1 when out of range.
std::int64_t normalize_index(std::int64_t i, std::size_t size) {
  auto n = static_cast<std::int64_t>(size);
  if (i < 0) i += n;
  return i < 0 || i >= n ? -1 : i;
}
}  // namespace

Value get_item(const Value& object, const Value& key) {
  if (object.is_undefined()) fail_undefined(object);
  bool int_key = key.is_int() || key.is_bool();
  if (object.is_list() && int_key) {
    auto& l = object.as_list();
    auto i = normalize_index(key.as_int(), l.size());
    if (i >= 0) return l[static_cast<std::size_t>(i)];
  } else if (object.is_string() && int_key) {
    auto offsets = codepoint_offsets(object.as_string());
    auto i = normalize_index(key.as_int(), offsets.size() - 1);
    if (i >= 0) {
      auto at = static_cast<std::size_t>(i);
      return object.as_string().substr(offsets[at], offsets[at + 1] - offsets[at]);
    }
  } else if (object.is_dict()) {
    if (auto* v = object.as_dict().find(key)) return *v;
    if (key.is_string()) return get_attr(object, key.as_string());
  } else if (object.is_namespace() && key.is_string()) {
    return get_attr(object, key.as_string());
  }
  return Undefined{"'" + std::string(type_name(object)) + " object' has no item " + repr(key)};
}

Value slice(Render& r, const Value& object, const Value& start_v, const Value& stop_v, const Value& step_v) {
  require_defined(object);
  auto bound = [](const Value& v, const char* what) -> std::optional<std::int64_t> {
    if (v.is_none() || v.is_undefined()) return std::nullopt;
    if (!v.is_int() && !v.is_bool()) fail(std::string("slice ") + what + " must be an integer or None");
    return v.as_int();
  };
  std::int64_t step = bound(step_v, "step").value_or(1);
  if (step == 0) fail("slice step cannot be zero");
  std::vector<std::size_t> offsets;
  std::int64_t n;
  if (object.is_string()) {
    offsets = codepoint_offsets(object.as_string());
    n = static_cast<std::int64_t>(offsets.size()) - 1;
  } else if (object.is_list()) {
    n = static_cast<std::int64_t>(object.as_list().size());
  } else {
    return Undefined{std::string("'") + type_name(object) + "' object is not subscriptable"};
  }
  // CPython's PySlice_AdjustIndices.
  auto adjust = [&](std::optional<std::int64_t> v, std::int64_t fallback) {
    if (!v) return fallback;
    std::int64_t i = *v;
    if (i < 0) {
      i += n;
      if (i < 0) i = step < 0 ? -1 : 0;
    } else if (i >= n) {
      i = step < 0 ? n - 1 : n;
    }
    return i;
  };
  std::int64_t start = adjust(bound(start_v, "start"), step < 0 ? n - 1 : 0);
  std::int64_t stop = adjust(bound(stop_v, "stop"), step < 0 ? -1 : n);
  r.charge(static_cast<std::uint64_t>(n));
  if (object.is_string()) {
    auto& s = object.as_string();
    std::string out;
    for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
      auto at = static_cast<std::size_t>(i);
      out.append(s, offsets[at], offsets[at + 1] - offsets[at]);
    }
    return out;
  }
  auto& l = object.as_list();
  List out;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
    out.push_back(l[static_cast<std::size_t>(i)]);
  return make_list(std::move(out));
}

List iterate(Render& r, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined: return {};
    case Value::Kind::List: r.charge(v.as_list().size()); return v.as_list();
    case Value::Kind::Dict: {
      List keys;
      for (auto& [k, item] : v.as_dict().items) keys.push_back(k);
      r.charge(keys.size());
      return keys;
    }
    case Value::Kind::String: {
      auto& s = v.as_string();
      auto offsets = codepoint_offsets(s);
      List chars;
      for (std::size_t i = 0; i + 1 < offsets.size(); ++i)
        chars.emplace_back(s.substr(offsets[i], offsets[i + 1] - offsets[i]));
      r.charge(chars.size());
      return chars;
    }
    default: fail(std::string("'") + type_name(v) + "' object is not iterable");
  }
}

Value call(Render& r, const Value& callee, const Args& args) {
  if (callee.is_undefined()) fail_undefined(callee);
  if (!callee.is_function()) fail(std::string("'") + type_name(callee) + "' object is not callable");
  return callee.as_function().call(r, args);
}

}  // namespace nib::jinja
