// Evaluation of expression nodes. Errors raised below a node without a line (RuntimeFailure) are
// rethrown here as nib::Error naming the node's line.
#include <nib/error.hpp>

#include "text/jinja/ast.hpp"
#include "text/jinja/builtins.hpp"
#include "text/jinja/errors.hpp"
#include "text/jinja/methods.hpp"
#include "text/jinja/operations.hpp"
#include "text/jinja/render.hpp"

namespace nib::jinja {
Args CallArgs::eval(Render& r) const {
  Args args;
  for (auto& p : positional) args.positional.push_back(p->eval(r));
  for (auto& [name, e] : keyword) args.keyword.emplace_back(name, e->eval(r));
  return args;
}

Value Literal::eval(Render&) const {
  return value;
}

Value NameRef::eval(Render& r) const {
  return r.lookup(name);
}

Value ListLiteral::eval(Render& r) const {
  List out;
  out.reserve(items.size());
  for (auto& item : items) out.push_back(item->eval(r));
  return make_list(std::move(out));
}

Value DictLiteral::eval(Render& r) const {
  Dict d;
  for (auto& [k, v] : items) {
    Value key = k->eval(r);
    Value value = v->eval(r);
    d.set(std::move(key), std::move(value));
  }
  return make_dict(std::move(d));
}

Value GetAttr::eval(Render& r) const {
  Value obj = object->eval(r);
  return located(line, [&] { return get_attr(obj, name); });
}

Value GetItem::eval(Render& r) const {
  Value obj = object->eval(r);
  Value key = index->eval(r);
  return located(line, [&] { return get_item(obj, key); });
}

Value SliceExpr::eval(Render& r) const {
  Value obj = object->eval(r);
  Value a = start ? start->eval(r) : Value(None{});
  Value b = stop ? stop->eval(r) : Value(None{});
  Value c = step ? step->eval(r) : Value(None{});
  return located(line, [&] { return slice(r, obj, a, b, c); });
}

Value Call::eval(Render& r) const {
  // obj.method(...) calls the method directly instead of binding it first.
  if (auto* attr = dynamic_cast<const GetAttr*>(callee.get())) {
    Value obj = attr->object->eval(r);
    if (has_method(obj, attr->name)) {
      Args a = args.eval(r);
      return located(line, [&] {
        r.charge(1);
        return call_method(r, obj, attr->name, a);
      });
    }
    Value f = located(line, [&] { return get_attr(obj, attr->name); });
    Args a = args.eval(r);
    return located(line, [&] {
      r.charge(1);
      return call(r, f, a);
    });
  }
  Value f = callee->eval(r);
  Args a = args.eval(r);
  return located(line, [&] {
    r.charge(1);
    return call(r, f, a);
  });
}

Value FilterCall::eval(Render& r) const {
  return apply(r, operand->eval(r));
}

Value FilterCall::apply(Render& r, const Value& operand_value) const {
  Args a = args.eval(r);
  return located(line, [&] {
    r.charge(1);
    return apply_filter(r, name, operand_value, a);
  });
}

Value TestCall::eval(Render& r) const {
  Value v = operand->eval(r);
  Args a = args.eval(r);
  return located(line, [&] { return Value(apply_test(r, name, v, a) != negated); });
}

Value Unary::eval(Render& r) const {
  Value v = operand->eval(r);
  if (op == UnaryOp::Not) return !v.truthy();
  return located(line, [&] {
    require_defined(v);
    if (!v.is_number())
      fail(std::string("bad operand type for unary ") + (op == UnaryOp::Neg ? "-" : "+") + ": '" +
           type_name(v) + "'");
    if (op == UnaryOp::Pos) return v.is_bool() ? Value(v.as_int()) : v;
    if (v.is_float()) return Value(-v.as_double());
    if (v.as_int() == INT64_MIN) fail("integer overflow");
    return Value(-v.as_int());
  });
}

Value Binary::eval(Render& r) const {
  Value a = lhs->eval(r);
  // and/or return an operand, like Python.
  if (op == BinaryOp::And) return a.truthy() ? rhs->eval(r) : a;
  if (op == BinaryOp::Or) return a.truthy() ? a : rhs->eval(r);
  Value b = rhs->eval(r);
  return located(line, [&] { return binary_op(r, op, a, b); });
}

Value Compare::eval(Render& r) const {
  Value a = first->eval(r);
  for (const auto& link : rest) {
    const CompareOp op = link.first;  // not a structured binding: clang 14 cannot capture those
    Value b = link.second->eval(r);
    bool ok = located(line, [&] { return Value(compare(op, a, b)); }).as_bool();
    if (!ok) return false;
    a = std::move(b);
  }
  return true;
}

Value Conditional::eval(Render& r) const {
  if (cond->eval(r).truthy()) return then->eval(r);
  if (otherwise) return otherwise->eval(r);
  return Undefined{"the inline if-expression on line " + std::to_string(line) +
                   " evaluated to false and no else section was defined."};
}

}  // namespace nib::jinja
