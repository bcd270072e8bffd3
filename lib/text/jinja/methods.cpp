#include "text/jinja/methods.hpp"

#include <array>

#include "text/jinja/errors.hpp"
#include "text/jinja/operations.hpp"
#include "text/jinja/pystr.hpp"
#include "text/jinja/render.hpp"
#include "text/jinja/utf8.hpp"

namespace nib::jinja {
namespace {

constexpr std::array<std::string_view, 14> kStringMethods = {
    "strip", "lstrip", "rstrip",     "split",   "startswith", "endswith", "upper",
    "lower", "title",  "capitalize", "replace", "find",       "count",    "join"};
constexpr std::array<std::string_view, 4> kDictMethods = {"items", "keys", "values", "get"};

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& names, std::string_view name) {
  for (auto n : names) {
    if (n == name) return true;
  }
  return false;
}

std::optional<std::string> opt_string(const Value& v, const char* what) {
  if (v.is_none() || v.is_undefined()) return std::nullopt;
  if (!v.is_string()) fail(std::string(what) + " must be str or None, not " + type_name(v));
  return v.as_string();
}

const std::string& string_arg(const Value& v, const char* method) {
  if (!v.is_string()) fail(std::string(method) + "() argument must be str, not " + type_name(v));
  return v.as_string();
}

std::int64_t int_arg(const Value& v, std::int64_t fallback) {
  if (v.is_undefined() || v.is_none()) return fallback;
  if (!v.is_int() && !v.is_bool()) fail(std::string("an integer is required, not ") + type_name(v));
  return v.as_int();
}

// startswith/endswith accept a string or a tuple (list) of strings.
bool affix_match(const std::string& s, const Value& affix, bool prefix) {
  auto one = [&](const std::string& a) {
    if (a.size() > s.size()) return false;
    return prefix ? s.compare(0, a.size(), a) == 0 : s.compare(s.size() - a.size(), a.size(), a) == 0;
  };
  if (affix.is_list()) {
    for (auto& a : affix.as_list()) {
      if (one(string_arg(a, prefix ? "startswith" : "endswith"))) return true;
    }
    return false;
  }
  return one(string_arg(affix, prefix ? "startswith" : "endswith"));
}

Value string_method(Render& r, const std::string& s, std::string_view name, const Args& a) {
  r.charge(s.size());
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    auto side = name == "strip"    ? pystr::Side::Both
                : name == "lstrip" ? pystr::Side::Left
                                   : pystr::Side::Right;
    return pystr::strip(s, side, opt_string(a.get(0, "chars"), "chars"));
  }
  if (name == "split") {
    auto parts = pystr::split(s, opt_string(a.get(0, "sep"), "sep"), int_arg(a.get(1, "maxsplit"), -1));
    List out(parts.begin(), parts.end());
    return make_list(std::move(out));
  }
  if (name == "startswith" || name == "endswith")
    return affix_match(s, a.get(0, "prefix"), name == "startswith");
  if (name == "upper") return pystr::upper(s);
  if (name == "lower") return pystr::lower(s);
  if (name == "title") return pystr::title(s);
  if (name == "capitalize") return pystr::capitalize(s);
  if (name == "replace") {
    std::string old = string_arg(a.get(0, "old"), "replace");
    std::string with = string_arg(a.get(1, "new"), "replace");
    auto out = pystr::replace(s, old, with, int_arg(a.get(2, "count"), -1));
    r.check_string(out.size());
    return out;
  }
  if (name == "find") {
    Value sub = a.get(0, "sub");
    auto at = s.find(string_arg(sub, "find"));
    return at == std::string::npos ? std::int64_t{-1}
                                   : static_cast<std::int64_t>(codepoint_count(s.substr(0, at)));
  }
  if (name == "count") {
    std::string sub = string_arg(a.get(0, "sub"), "count");
    if (sub.empty()) return static_cast<std::int64_t>(codepoint_count(s) + 1);
    std::int64_t n = 0;
    for (auto at = s.find(sub); at != std::string::npos; at = s.find(sub, at + sub.size())) ++n;
    return n;
  }
  // join
  std::string out;
  bool first = true;
  for (auto& item : iterate(r, a.get(0, "iterable"))) {
    if (!first) out += s;
    first = false;
    out += string_arg(item, "join");
    r.check_string(out.size());
  }
  return out;
}

Value dict_method(Render& r, const Dict& d, std::string_view name, const Args& a) {
  r.charge(d.items.size());
  if (name == "get") {
    if (auto* v = d.find(a.get(0, "key"))) return *v;
    return a.get(1, "default", None{});
  }
  List out;
  for (auto& [k, v] : d.items) {
    if (name == "items")
      out.push_back(make_list({k, v}));
    else if (name == "keys")
      out.push_back(k);
    else
      out.push_back(v);
  }
  return make_list(std::move(out));
}

}  // namespace

bool has_method(const Value& object, std::string_view name) {
  if (object.is_string()) return listed(kStringMethods, name);
  if (object.is_dict()) return listed(kDictMethods, name);
  return false;
}

Value bind_method(const Value& object, const std::string& name) {
  auto f = std::make_shared<Function>();
  f->name = name;
  f->call = [object, name](Render& r, const Args& args) { return call_method(r, object, name, args); };
  return Value(std::shared_ptr<const Function>(std::move(f)));
}

Value call_method(Render& r, const Value& object, std::string_view name, const Args& args) {
  if (object.is_string() && listed(kStringMethods, name))
    return string_method(r, object.as_string(), name, args);
  if (object.is_dict() && listed(kDictMethods, name)) return dict_method(r, object.as_dict(), name, args);
  fail(std::string("'") + type_name(object) + "' object has no attribute '" + std::string(name) + "'");
}

}  // namespace nib::jinja
