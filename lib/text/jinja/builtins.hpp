#pragma once
// jinja2's built-in filters and tests plus transformers' additions (tojson with its keyword
// arguments, raise_exception, strftime_now), looked up by name.
#include <memory>
#include <string_view>

#include "text/jinja/value.hpp"

namespace nib::jinja {

class Render;
struct Scope;

using FilterFn = Value (*)(Render& r, const Value& operand, const Args& args);
using TestFn = bool (*)(Render& r, const Value& operand, const Args& args);

FilterFn find_filter(std::string_view name);  // nullptr when unknown
TestFn find_test(std::string_view name);

// A scope holding the global functions: range, dict, namespace, raise_exception, strftime_now.
std::shared_ptr<Scope> make_globals();

// Applies the filter or test named `name` (for map/select/selectattr); fails when unknown.
Value apply_filter(Render& r, std::string_view name, const Value& operand, const Args& args);
bool apply_test(Render& r, std::string_view name, const Value& operand, const Args& args);

}  // namespace nib::jinja
