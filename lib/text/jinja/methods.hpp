#pragma once
// The Python str and dict methods templates call (`content.strip()`, `tool.items()`, ...).
// Mutating methods do not exist here, as in jinja2's ImmutableSandboxedEnvironment.
#include <string>
#include <string_view>

#include "text/jinja/value.hpp"

namespace nib::jinja {

bool has_method(const Value& object, std::string_view name);
// A callable bound to `object` (what `object.name` evaluates to).
Value bind_method(const Value& object, const std::string& name);
Value call_method(Render& r, const Value& object, std::string_view name, const Args& args);

}  // namespace nib::jinja
