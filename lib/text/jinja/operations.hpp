#pragma once
// Python semantics of the operations templates perform on values: arithmetic, comparison,
// membership, attribute and item access (jinja2's sandboxed getattr/getitem, which turn a missing
// key into Undefined), slicing, iteration and calls. Failures throw RuntimeFailure.
#include <string>

#include "text/jinja/ast.hpp"
#include "text/jinja/value.hpp"

namespace nib::jinja {

class Render;

[[noreturn]] void fail_undefined(const Value& v);
// Fails if `v` is Undefined (for operations that jinja2's Undefined refuses).
void require_defined(const Value& v);

Value binary_op(Render& r, BinaryOp op, const Value& a, const Value& b);
bool compare(CompareOp op, const Value& a, const Value& b);
bool contains(const Value& container, const Value& item);

Value get_attr(const Value& object, const std::string& name);
Value get_item(const Value& object, const Value& key);
Value slice(Render& r, const Value& object, const Value& start, const Value& stop, const Value& step);

// The items a for loop or a filter sees: list items, dict keys, string characters; none for
// Undefined. Fails for values Python cannot iterate (None, numbers).
List iterate(Render& r, const Value& v);

Value call(Render& r, const Value& callee, const Args& args);

}  // namespace nib::jinja
