#pragma once
// The interpreter's value model: the Python objects a chat template sees (None, bool, int, float,
// str, list, dict), jinja2's lenient Undefined, namespace() objects and callables. Lists and dicts
// are immutable once built (ImmutableSandboxedEnvironment); only namespaces change, through
// `{% set ns.attr = ... %}`.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace nib::jinja {

class Value;
class Render;
struct Args;

using List = std::vector<Value>;
struct Dict;
struct Namespace;
struct Function;

struct Undefined {
  std::string hint;  // the error raised when it is used, e.g. "'x' is undefined"
};
struct None {};

class Value {
 public:
  enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Function };

  Value() : v_(Undefined{}) {}
  Value(Undefined u) : v_(std::move(u)) {}
  Value(None) : v_(None{}) {}
  Value(bool b) : v_(b) {}
  Value(std::int64_t i) : v_(i) {}
  Value(int i) : v_(std::int64_t{i}) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(List l);
  Value(std::shared_ptr<const List> l) : v_(std::move(l)) {}
  Value(std::shared_ptr<const Dict> d) : v_(std::move(d)) {}
  Value(std::shared_ptr<Namespace> n) : v_(std::move(n)) {}
  Value(std::shared_ptr<const Function> f) : v_(std::move(f)) {}

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_undefined() const { return kind() == Kind::Undefined; }
  bool is_none() const { return kind() == Kind::None; }
  bool is_bool() const { return kind() == Kind::Bool; }
  bool is_int() const { return kind() == Kind::Int; }
  bool is_float() const { return kind() == Kind::Float; }
  bool is_number() const { return is_int() || is_float() || is_bool(); }  // Python: bool is an int
  bool is_string() const { return kind() == Kind::String; }
  bool is_list() const { return kind() == Kind::List; }
  bool is_dict() const { return kind() == Kind::Dict; }
  bool is_namespace() const { return kind() == Kind::Namespace; }
  bool is_function() const { return kind() == Kind::Function; }

  bool as_bool() const { return std::get<bool>(v_); }
  std::int64_t as_int() const;  // Int or Bool
  double as_double() const;     // Int, Float or Bool
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const List& as_list() const { return *std::get<std::shared_ptr<const List>>(v_); }
  const Dict& as_dict() const { return *std::get<std::shared_ptr<const Dict>>(v_); }
  Namespace& as_namespace() const { return *std::get<std::shared_ptr<Namespace>>(v_); }
  const Function& as_function() const { return *std::get<std::shared_ptr<const Function>>(v_); }
  const Undefined& as_undefined() const { return std::get<Undefined>(v_); }
  const std::shared_ptr<Namespace>& namespace_ptr() const { return std::get<std::shared_ptr<Namespace>>(v_); }

  bool truthy() const;  // Python bool(): empty containers, 0, '', None and Undefined are false

 private:
  std::variant<Undefined, None, bool, std::int64_t, double, std::string, std::shared_ptr<const List>,
               std::shared_ptr<const Dict>, std::shared_ptr<Namespace>, std::shared_ptr<const Function>>
      v_;
};

// An insertion-ordered mapping (Python dict semantics, including 1 == 1.0 == True as keys).
// Linear lookup: template dicts are small.
struct Dict {
  std::vector<std::pair<Value, Value>> items;
  const Value* find(const Value& key) const;
  const Value* find_key(std::string_view key) const;  // string keys only, without conversions
  void set(Value key, Value value);
};

struct Namespace {
  Dict attrs;
};

// Positional and keyword arguments of a call.
struct Args {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;

  // The argument at `index` or named `name`, else `fallback`.
  Value get(std::size_t index, std::string_view name, Value fallback = Value()) const;
  std::size_t size() const { return positional.size() + keyword.size(); }
};

struct Function {
  std::string name;
  std::function<Value(Render&, const Args&)> call;
};

// Python's type names, for error messages ("NoneType", "str", "dict", ...).
const char* type_name(const Value& v);

// Python == (deep for lists and dicts; int/float/bool compare numerically; Undefined equals only
// Undefined). `depth` guards against cycles through namespaces.
bool equals(const Value& a, const Value& b, int depth = 0);

// Python str() and repr(): what `{{ x }}` prints ("None", "True", "1.5", "['a', 1]").
std::string to_str(const Value& v);
std::string repr(const Value& v, int depth = 0);
// Python float repr: shortest round-trip digits ("0.1", "1e+16", "1.0").
std::string float_repr(double d);

Value make_list(List items);
Value make_dict(Dict d);

}  // namespace nib::jinja
