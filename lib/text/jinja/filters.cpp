// jinja2's built-in filters (jinja2/filters.py semantics) and transformers' tojson.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "text/jinja/builtins.hpp"
#include "text/jinja/errors.hpp"
#include "text/jinja/json.hpp"
#include "text/jinja/operations.hpp"
#include "text/jinja/pystr.hpp"
#include "text/jinja/render.hpp"
#include "text/jinja/utf8.hpp"

namespace nib::jinja {
namespace {

std::string str_arg(const Value& v) {
  return to_str(v);
}

std::int64_t int_arg(const Value& v, const char* what) {
  if (!v.is_int() && !v.is_bool()) fail(std::string(what) + " must be an integer, not " + type_name(v));
  return v.as_int();
}

Value checked_string(Render& r, std::string s) {
  r.check_string(s.size());
  r.charge(s.size());
  return s;
}

// jinja2's attribute getter: "a.b" walks items/attributes; "0" indexes.
Value get_path(const Value& item, const std::string& path) {
  Value v = item;
  std::size_t pos = 0;
  while (true) {
    auto dot = path.find('.', pos);
    std::string part = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    std::int64_t index = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
    v = ec == std::errc() && p == part.data() + part.size() && !part.empty() ? get_item(v, Value(index))
                                                                             : get_item(v, Value(part));
    if (dot == std::string::npos) return v;
    pos = dot + 1;
  }
}

// Remaining positional arguments from `from` on (the test's arguments in select/selectattr).
Args rest_args(const Args& a, std::size_t from) {
  Args out;
  for (std::size_t i = from; i < a.positional.size(); ++i) out.positional.push_back(a.positional[i]);
  out.keyword = a.keyword;
  return out;
}

Value select_impl(Render& r, const Value& seq, const Args& a, bool by_attr, bool keep) {
  std::size_t first = by_attr ? 1 : 0;
  std::string attr = by_attr ? str_arg(a.get(0, "attr")) : "";
  bool has_test = a.positional.size() > first;
  std::string test = has_test ? str_arg(a.positional[first]) : "";
  Args test_args = rest_args(a, first + 1);
  List out;
  for (auto& item : iterate(r, seq)) {
    Value v = by_attr ? get_path(item, attr) : item;
    bool ok = has_test ? apply_test(r, test, v, test_args) : v.truthy();
    if (ok == keep) out.push_back(item);
  }
  return make_list(std::move(out));
}

Value f_trim(Render& r, const Value& v, const Args& a) {
  auto chars = a.get(0, "chars");
  std::optional<std::string> set;
  if (chars.is_string()) set = chars.as_string();
  return checked_string(r, pystr::strip(to_str(v), pystr::Side::Both, set));
}
Value f_upper(Render& r, const Value& v, const Args&) {
  return checked_string(r, pystr::upper(to_str(v)));
}
Value f_lower(Render& r, const Value& v, const Args&) {
  return checked_string(r, pystr::lower(to_str(v)));
}
Value f_capitalize(Render& r, const Value& v, const Args&) {
  return checked_string(r, pystr::capitalize(to_str(v)));
}

// jinja2's title: words start after whitespace or one of - ( { [ <.
Value f_title(Render& r, const Value& v, const Args&) {
  std::string out;
  bool word_start = true;
  for (auto cp : decode_utf8(to_str(v))) {
    std::string ch;
    append_utf8(ch, cp);
    bool separator = pystr::is_space(cp) || cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<';
    out += separator ? ch : word_start ? pystr::upper(ch) : pystr::lower(ch);
    word_start = separator;
  }
  return checked_string(r, std::move(out));
}

Value f_length(Render&, const Value& v, const Args&) {
  switch (v.kind()) {
    case Value::Kind::Undefined: return std::int64_t{0};
    case Value::Kind::String: return static_cast<std::int64_t>(codepoint_count(v.as_string()));
    case Value::Kind::List: return static_cast<std::int64_t>(v.as_list().size());
    case Value::Kind::Dict: return static_cast<std::int64_t>(v.as_dict().items.size());
    default: fail(std::string("object of type '") + type_name(v) + "' has no len()");
  }
}

// transformers: json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).
Value f_tojson(Render& r, const Value& v, const Args& a) {
  JsonStyle style;
  style.ensure_ascii = a.get(0, "ensure_ascii", false).truthy();
  Value indent = a.get(1, "indent", None{});
  if (indent.is_string()) {
    style.indent = indent.as_string();
  } else if (!indent.is_none() && !indent.is_undefined()) {
    std::int64_t n = int_arg(indent, "indent");
    if (n > 1024) fail("indent is too large");
    style.indent = std::string(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)), ' ');
  }
  Value separators = a.get(2, "separators", None{});
  if (separators.is_list()) {
    if (separators.as_list().size() != 2) fail("separators must be an (item_separator, key_separator) pair");
    style.item_separator = str_arg(separators.as_list()[0]);
    style.key_separator = str_arg(separators.as_list()[1]);
  }
  style.sort_keys = a.get(3, "sort_keys", false).truthy();
  return checked_string(r, to_json(v, style));
}

Value f_join(Render& r, const Value& v, const Args& a) {
  std::string sep = str_arg(a.get(0, "d", ""));
  Value attr = a.get(1, "attribute", None{});
  std::string out;
  bool first = true;
  for (auto& item : iterate(r, v)) {
    if (!first) out += sep;
    first = false;
    out += to_str(attr.is_none() ? item : get_path(item, to_str(attr)));
    r.check_string(out.size());
  }
  return checked_string(r, std::move(out));
}

Value f_replace(Render& r, const Value& v, const Args& a) {
  Value count = a.get(2, "count", None{});
  std::string s = to_str(v);
  std::string old = str_arg(a.get(0, "old"));
  std::string with = str_arg(a.get(1, "new"));
  // Bound the result before building it: every match may grow the string.
  if (!old.empty() && with.size() > old.size()) {
    std::size_t matches = 0;
    for (auto at = s.find(old); at != std::string::npos; at = s.find(old, at + old.size())) ++matches;
    r.check_string(s.size() + matches * (with.size() - old.size()));
  } else if (old.empty()) {
    r.check_string(s.size() + (s.size() + 1) * with.size());
  }
  return checked_string(r, pystr::replace(s, old, with, count.is_none() ? -1 : int_arg(count, "count")));
}

Value f_default(Render&, const Value& v, const Args& a) {
  bool boolean = a.get(1, "boolean", false).truthy();
  if (v.is_undefined() || (boolean && !v.truthy())) return a.get(0, "default_value", "");
  return v;
}

Value f_first(Render& r, const Value& v, const Args&) {
  List items = iterate(r, v);
  if (items.empty()) return Undefined{"No first item, sequence was empty."};
  return items.front();
}

Value f_last(Render& r, const Value& v, const Args&) {
  List items = iterate(r, v);
  if (items.empty()) return Undefined{"No last item, sequence was empty."};
  return items.back();
}

Value f_list(Render& r, const Value& v, const Args&) {
  return make_list(iterate(r, v));
}

Value f_items(Render& r, const Value& v, const Args&) {
  if (v.is_undefined()) return make_list({});
  if (!v.is_dict()) fail("Can only get item pairs from a mapping.");
  List out;
  for (auto& [k, item] : v.as_dict().items) out.push_back(make_list({k, item}));
  r.charge(out.size());
  return make_list(std::move(out));
}

Value f_select(Render& r, const Value& v, const Args& a) {
  return select_impl(r, v, a, false, true);
}
Value f_reject(Render& r, const Value& v, const Args& a) {
  return select_impl(r, v, a, false, false);
}
Value f_selectattr(Render& r, const Value& v, const Args& a) {
  return select_impl(r, v, a, true, true);
}
Value f_rejectattr(Render& r, const Value& v, const Args& a) {
  return select_impl(r, v, a, true, false);
}

// map(attribute='x', default=d) or map('filter', args...).
Value f_map(Render& r, const Value& v, const Args& a) {
  List out;
  Value attribute = a.get(99, "attribute");
  if (!attribute.is_undefined()) {
    Value fallback = a.get(99, "default");
    for (auto& item : iterate(r, v)) {
      Value x = get_path(item, to_str(attribute));
      out.push_back(x.is_undefined() && !fallback.is_undefined() ? fallback : x);
    }
    return make_list(std::move(out));
  }
  if (a.positional.empty()) fail("map requires a filter name or attribute=");
  std::string name = str_arg(a.positional[0]);
  Args rest = rest_args(a, 1);
  for (auto& item : iterate(r, v)) out.push_back(apply_filter(r, name, item, rest));
  return make_list(std::move(out));
}

Value f_string(Render& r, const Value& v, const Args&) {
  return checked_string(r, to_str(v));
}

// int(value, default=0, base=10): like jinja2, "3.7" gives 3 and anything else the default.
Value f_int(Render&, const Value& v, const Args& a) {
  Value fallback = a.get(0, "default", std::int64_t{0});
  std::int64_t base = a.get(1, "base", std::int64_t{10}).as_int();
  if (v.is_int() || v.is_bool()) return v.as_int();
  if (v.is_float()) {
    double d = v.as_double();
    if (!std::isfinite(d) || std::fabs(d) > 9.2e18) return fallback;
    return static_cast<std::int64_t>(d);
  }
  if (!v.is_string()) return fallback;
  std::string s = pystr::strip(v.as_string(), pystr::Side::Both);
  std::string digits;
  for (char c : s) {
    if (c != '_') digits += c;
  }
  std::int64_t n = 0;
  const char* b = digits.data();
  if (!digits.empty() && digits[0] == '+') ++b;
  auto [p, ec] = std::from_chars(b, digits.data() + digits.size(), n, static_cast<int>(base));
  if (ec == std::errc() && p == digits.data() + digits.size() && b != p) return n;
  try {
    std::size_t used = 0;
    double d = std::stod(s, &used);
    if (used == s.size() && std::isfinite(d) && std::fabs(d) < 9.2e18) return static_cast<std::int64_t>(d);
  } catch (const std::exception&) {
  }
  return fallback;
}

Value f_float(Render&, const Value& v, const Args& a) {
  Value fallback = a.get(0, "default", 0.0);
  if (v.is_number()) return v.as_double();
  if (!v.is_string()) return fallback;
  std::string s = pystr::strip(v.as_string(), pystr::Side::Both);
  try {
    std::size_t used = 0;
    double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::exception&) {
  }
  return fallback;
}

// indent(width=4, first=False, blank=False)
Value f_indent(Render& r, const Value& v, const Args& a) {
  Value width = a.get(0, "width", std::int64_t{4});
  std::string pad;
  if (width.is_string()) {
    pad = width.as_string();
  } else {
    std::int64_t n = int_arg(width, "width");
    if (n > 1024) fail("indent width is too large");
    pad = std::string(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)), ' ');
  }
  bool first = a.get(1, "first", false).truthy();
  bool blank = a.get(2, "blank", false).truthy();
  std::vector<std::string> lines = pystr::split(to_str(v) + "\n", std::string("\n"));
  lines.pop_back();  // the "\n" added above, as jinja2 does before splitlines()
  r.check_string(to_str(v).size() + lines.size() * (pad.size() + 1));
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\n";
    bool indent_line = i == 0 ? first : (blank || !lines[i].empty());
    if (indent_line) out += pad;
    out += lines[i];
  }
  return checked_string(r, std::move(out));
}

Value f_abs(Render&, const Value& v, const Args&) {
  if (v.is_float()) return std::fabs(v.as_double());
  if (!v.is_number()) fail(std::string("bad operand type for abs(): '") + type_name(v) + "'");
  if (v.as_int() == INT64_MIN) fail("integer overflow");
  return v.as_int() < 0 ? -v.as_int() : v.as_int();
}

// round(precision=0, method='common'|'ceil'|'floor'): always a float, like jinja2.
Value f_round(Render&, const Value& v, const Args& a) {
  if (!v.is_number()) fail(std::string("round() needs a number, not ") + type_name(v));
  std::int64_t precision = a.get(0, "precision", std::int64_t{0}).as_int();
  std::string method = to_str(a.get(1, "method", "common"));
  double scale = std::pow(10.0, static_cast<double>(precision));
  double x = v.as_double() * scale;
  if (method == "ceil")
    x = std::ceil(x);
  else if (method == "floor")
    x = std::floor(x);
  else if (method == "common")
    x = std::nearbyint(x);  // Python rounds half to even
  else
    fail("method must be 'common', 'ceil' or 'floor'");
  return x / scale;
}

Value f_sum(Render& r, const Value& v, const Args& a) {
  Value attribute = a.get(0, "attribute", None{});
  Value total = a.get(1, "start", std::int64_t{0});
  for (auto& item : iterate(r, v)) {
    total =
        binary_op(r, BinaryOp::Add, total, attribute.is_none() ? item : get_path(item, to_str(attribute)));
  }
  return total;
}

Value f_reverse(Render& r, const Value& v, const Args&) {
  if (v.is_string()) {
    auto cps = decode_utf8(v.as_string());
    std::string out;
    for (auto it = cps.rbegin(); it != cps.rend(); ++it) append_utf8(out, *it);
    return out;
  }
  List items = iterate(r, v);
  std::reverse(items.begin(), items.end());
  return make_list(std::move(items));
}

// Sort key: case-insensitive strings unless case_sensitive, like jinja2.
Value sort_key(const Value& item, const Value& attribute, bool case_sensitive) {
  Value k = attribute.is_none() || attribute.is_undefined() ? item : get_path(item, to_str(attribute));
  if (!case_sensitive && k.is_string()) return pystr::lower(k.as_string());
  return k;
}

Value f_sort(Render& r, const Value& v, const Args& a) {
  bool reverse = a.get(0, "reverse", false).truthy();
  bool case_sensitive = a.get(1, "case_sensitive", false).truthy();
  Value attribute = a.get(2, "attribute", None{});
  List items = iterate(r, v);
  std::vector<std::pair<Value, Value>> keyed;
  for (auto& item : items) keyed.emplace_back(sort_key(item, attribute, case_sensitive), item);
  std::stable_sort(keyed.begin(), keyed.end(), [&](auto& x, auto& y) {
    return reverse ? compare(CompareOp::Lt, y.first, x.first) : compare(CompareOp::Lt, x.first, y.first);
  });
  List out;
  for (auto& [k, item] : keyed) out.push_back(item);
  return make_list(std::move(out));
}

Value f_unique(Render& r, const Value& v, const Args& a) {
  bool case_sensitive = a.get(0, "case_sensitive", false).truthy();
  Value attribute = a.get(1, "attribute", None{});
  List out, seen;
  for (auto& item : iterate(r, v)) {
    Value k = sort_key(item, attribute, case_sensitive);
    bool dup = false;
    for (auto& s : seen) dup = dup || equals(s, k);
    if (!dup) {
      seen.push_back(k);
      out.push_back(item);
    }
    r.charge(seen.size());
  }
  return make_list(std::move(out));
}

Value extreme(Render& r, const Value& v, const Args& a, bool want_max) {
  bool case_sensitive = a.get(0, "case_sensitive", false).truthy();
  Value attribute = a.get(1, "attribute", None{});
  List items = iterate(r, v);
  if (items.empty()) return Undefined{"No aggregated item, sequence was empty."};
  std::size_t best = 0;
  for (std::size_t i = 1; i < items.size(); ++i) {
    Value x = sort_key(items[i], attribute, case_sensitive),
          b = sort_key(items[best], attribute, case_sensitive);
    if (compare(want_max ? CompareOp::Gt : CompareOp::Lt, x, b)) best = i;
  }
  return items[best];
}
Value f_min(Render& r, const Value& v, const Args& a) {
  return extreme(r, v, a, false);
}
Value f_max(Render& r, const Value& v, const Args& a) {
  return extreme(r, v, a, true);
}

Value f_safe(Render&, const Value& v, const Args&) {
  return v;
}

Value f_escape(Render& r, const Value& v, const Args&) {
  std::string out;
  for (char c : to_str(v)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return checked_string(r, std::move(out));
}

Value f_dictsort(Render& r, const Value& v, const Args& a) {
  if (!v.is_dict()) fail("dictsort requires a mapping");
  bool case_sensitive = a.get(0, "case_sensitive", false).truthy();
  bool by_value = to_str(a.get(1, "by", "key")) == "value";
  bool reverse = a.get(2, "reverse", false).truthy();
  List pairs = f_items(r, v, {}).as_list();
  auto key = [&](const Value& p) { return sort_key(p.as_list()[by_value ? 1 : 0], None{}, case_sensitive); };
  std::stable_sort(pairs.begin(), pairs.end(), [&](auto& x, auto& y) {
    return reverse ? compare(CompareOp::Lt, key(y), key(x)) : compare(CompareOp::Lt, key(x), key(y));
  });
  return make_list(std::move(pairs));
}

const std::map<std::string_view, FilterFn>& filters() {
  static const std::map<std::string_view, FilterFn> table = {
      {"abs", f_abs},
      {"capitalize", f_capitalize},
      {"count", f_length},
      {"d", f_default},
      {"default", f_default},
      {"dictsort", f_dictsort},
      {"e", f_escape},
      {"escape", f_escape},
      {"first", f_first},
      {"float", f_float},
      {"indent", f_indent},
      {"int", f_int},
      {"items", f_items},
      {"join", f_join},
      {"last", f_last},
      {"length", f_length},
      {"list", f_list},
      {"lower", f_lower},
      {"map", f_map},
      {"max", f_max},
      {"min", f_min},
      {"reject", f_reject},
      {"rejectattr", f_rejectattr},
      {"replace", f_replace},
      {"reverse", f_reverse},
      {"round", f_round},
      {"safe", f_safe},
      {"select", f_select},
      {"selectattr", f_selectattr},
      {"sort", f_sort},
      {"string", f_string},
      {"sum", f_sum},
      {"title", f_title},
      {"tojson", f_tojson},
      {"trim", f_trim},
      {"unique", f_unique},
      {"upper", f_upper},
  };
  return table;
}

}  // namespace

FilterFn find_filter(std::string_view name) {
  auto it = filters().find(name);
  return it == filters().end() ? nullptr : it->second;
}

Value apply_filter(Render& r, std::string_view name, const Value& operand, const Args& args) {
  FilterFn f = find_filter(name);
  if (!f) fail("no filter named '" + std::string(name) + "'");
  return f(r, operand, args);
}

}  // namespace nib::jinja
