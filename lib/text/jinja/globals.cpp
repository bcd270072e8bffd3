// Global functions: jinja2's range/dict/namespace and transformers' raise_exception/strftime_now.
#include <ctime>

#include <nib/error.hpp>

#include "text/jinja/builtins.hpp"
#include "text/jinja/errors.hpp"
#include "text/jinja/render.hpp"

namespace nib::jinja {
namespace {

std::int64_t int_arg(const Value& v) {
  if (!v.is_int() && !v.is_bool())
    fail(std::string("'") + type_name(v) + "' object cannot be interpreted as an integer");
  return v.as_int();
}

Value g_range(Render& r, const Args& a) {
  if (!a.keyword.empty() || a.positional.empty() || a.positional.size() > 3)
    fail("range expects 1 to 3 integer arguments");
  std::int64_t start = 0, stop, step = 1;
  if (a.positional.size() == 1) {
    stop = int_arg(a.positional[0]);
  } else {
    start = int_arg(a.positional[0]);
    stop = int_arg(a.positional[1]);
    if (a.positional.size() == 3) step = int_arg(a.positional[2]);
  }
  if (step == 0) fail("range() arg 3 must not be zero");
  // Length computed in floating point so huge bounds cannot overflow before the limit check.
  double span = (static_cast<double>(stop) - static_cast<double>(start)) / static_cast<double>(step);
  if (span > static_cast<double>(r.limits().max_items)) r.check_items(r.limits().max_items + 1);
  List out;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.emplace_back(i);
  r.charge(out.size());
  return make_list(std::move(out));
}

// dict(**kwargs) and namespace(**kwargs) also take one mapping positionally.
Dict kwargs_dict(const Args& a, const char* what) {
  Dict d;
  if (a.positional.size() > 1) fail(std::string(what) + " takes at most one positional argument");
  if (!a.positional.empty()) {
    if (!a.positional[0].is_dict()) fail(std::string(what) + " positional argument must be a mapping");
    d = a.positional[0].as_dict();
  }
  for (auto& [k, v] : a.keyword) d.set(Value(k), v);
  return d;
}

Value g_dict(Render&, const Args& a) {
  return make_dict(kwargs_dict(a, "dict"));
}

Value g_namespace(Render& r, const Args& a) {
  auto ns = r.new_namespace();
  ns->attrs = kwargs_dict(a, "namespace");
  return Value(ns);
}

// The template's own message, verbatim (see errors.hpp).
Value g_raise_exception(Render&, const Args& a) {
  throw Error(Status::Format, to_str(a.get(0, "message")));
}

Value g_strftime_now(Render& r, const Args& a) {
  std::string format = to_str(a.get(0, "format"));
  if (format.empty()) return "";
  std::time_t t = std::chrono::system_clock::to_time_t(r.now());
  std::tm tm{};
  localtime_r(&t, &tm);  // datetime.now() is local time
  for (std::size_t size = 256; size <= 65536; size *= 4) {
    std::string out(size, '\0');
    std::size_t n = std::strftime(out.data(), out.size(), format.c_str(), &tm);
    if (n > 0) {
      out.resize(n);
      return out;
    }
  }
  return "";
}

void add(Scope& s, const char* name, Value (*fn)(Render&, const Args&)) {
  auto f = std::make_shared<Function>();
  f->name = name;
  f->call = fn;
  s.set(name, Value(std::shared_ptr<const Function>(std::move(f))));
}

}  // namespace

std::shared_ptr<Scope> make_globals() {
  auto s = std::make_shared<Scope>();
  add(*s, "range", g_range);
  add(*s, "dict", g_dict);
  add(*s, "namespace", g_namespace);
  add(*s, "raise_exception", g_raise_exception);
  add(*s, "strftime_now", g_strftime_now);
  return s;
}

}  // namespace nib::jinja
