// Execution of statement nodes: output, control flow, loops (with jinja2's `loop` object),
// assignments with jinja2's scoping (a `set` inside a for body or macro stays there) and macros.
#include "text/jinja/ast.hpp"
#include "text/jinja/errors.hpp"
#include "text/jinja/operations.hpp"
#include "text/jinja/render.hpp"

namespace nib::jinja {
namespace {

// Binds `targets` to `value` (unpacking it when asked), in the current scope.
void assign_targets(Render& r, const std::vector<std::string>& targets, bool unpack, const Value& value) {
  if (!unpack) {
    r.assign(targets[0], value);
    return;
  }
  List items = iterate(r, value);
  if (items.size() != targets.size()) {
    fail(items.size() > targets.size()
             ? "too many values to unpack (expected " + std::to_string(targets.size()) + ")"
             : "not enough values to unpack (expected " + std::to_string(targets.size()) + ", got " +
                   std::to_string(items.size()) + ")");
  }
  for (std::size_t i = 0; i < targets.size(); ++i) r.assign(targets[i], items[i]);
}

Value loop_object(const List& items, std::size_t i) {
  auto n = static_cast<std::int64_t>(items.size());
  auto at = static_cast<std::int64_t>(i);
  Dict d;
  d.set("index0", at);
  d.set("index", at + 1);
  d.set("revindex0", n - at - 1);
  d.set("revindex", n - at);
  d.set("first", i == 0);
  d.set("last", at == n - 1);
  d.set("length", n);
  d.set("depth", 1);
  d.set("depth0", 0);
  if (i > 0) d.set("previtem", items[i - 1]);
  if (at + 1 < n) d.set("nextitem", items[i + 1]);
  auto cycle = std::make_shared<Function>();
  cycle->name = "cycle";
  cycle->call = [at](Render&, const Args& args) -> Value {
    if (args.positional.empty()) fail("no items for cycling given");
    return args.positional[static_cast<std::size_t>(at) % args.positional.size()];
  };
  d.set("cycle", Value(std::shared_ptr<const Function>(std::move(cycle))));
  return make_dict(std::move(d));
}

}  // namespace

Flow exec_body(Render& r, const Body& body) {
  for (auto& stmt : body) {
    located(stmt->line, [&] { r.charge(1); });
    Flow f = stmt->exec(r);
    if (f != Flow::Normal) return f;
  }
  return Flow::Normal;
}

Flow TextStmt::exec(Render& r) const {
  located(line, [&] { r.write(text); });
  return Flow::Normal;
}

Flow OutputStmt::exec(Render& r) const {
  Value v = expr->eval(r);
  located(line, [&] { r.write(to_str(v)); });
  return Flow::Normal;
}

Flow IfStmt::exec(Render& r) const {
  for (auto& [cond, body] : branches) {
    if (cond->eval(r).truthy()) return exec_body(r, body);
  }
  return exec_body(r, otherwise);
}

Flow ForStmt::exec(Render& r) const {
  Value source = iterable->eval(r);
  List items = located(line, [&] { return iterate(r, source); });
  bool ran = false;
  {
    Render::ScopeGuard scope(r, r.scope());
    if (filter) {
      List kept;
      for (auto& item : items) {
        located(line, [&] {
          r.count_iteration();
          assign_targets(r, targets, unpack, item);
        });
        if (filter->eval(r).truthy()) kept.push_back(item);
      }
      items = std::move(kept);
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      ran = true;
      located(line, [&] {
        r.count_iteration();
        assign_targets(r, targets, unpack, items[i]);
        r.assign("loop", loop_object(items, i));
      });
      if (exec_body(r, body) == Flow::Break) break;
    }
  }
  if (!ran) exec_body(r, otherwise);
  return Flow::Normal;
}

Flow SetStmt::exec(Render& r) const {
  Value v = value->eval(r);
  located(line, [&] {
    if (attribute.empty()) {
      assign_targets(r, targets, unpack, v);
      return;
    }
    Value ns = r.lookup(targets[0]);
    if (!ns.is_namespace()) fail("cannot assign attribute on non-namespace object");
    ns.as_namespace().attrs.set(Value(attribute), std::move(v));
  });
  return Flow::Normal;
}

namespace {
std::string capture_body(Render& r, const Body& body) {
  Render::Capture capture(r);
  exec_body(r, body);
  return capture.take();
}
}  // namespace

Flow SetBlockStmt::exec(Render& r) const {
  Value v = capture_body(r, body);
  for (auto& f : filters) v = f->apply(r, v);
  r.assign(target, std::move(v));
  return Flow::Normal;
}

Flow FilterBlockStmt::exec(Render& r) const {
  Value v = capture_body(r, body);
  for (auto& f : filters) v = f->apply(r, v);
  located(line, [&] { r.write(to_str(v)); });
  return Flow::Normal;
}

Flow WithStmt::exec(Render& r) const {
  Render::ScopeGuard scope(r, r.scope());
  for (auto& [name, expr] : assignments) r.assign(name, expr->eval(r));
  return exec_body(r, body);
}

Flow MacroStmt::exec(Render& r) const {
  auto f = std::make_shared<Function>();
  f->name = name;
  // The defining scope is held weakly: a macro stored in that scope must not keep it alive.
  std::weak_ptr<Scope> closure = r.scope();
  const MacroStmt* macro = this;
  f->call = [macro, closure](Render& rr, const Args& args) -> Value {
    Render::CallGuard depth(rr, "macro '" + macro->name + "'");
    rr.charge(64);  // a call costs a scope and an output buffer: bounds exponential fan-out
    auto& params = macro->params;
    if (args.positional.size() > params.size()) {
      fail("macro '" + macro->name + "' takes not more than " + std::to_string(params.size()) +
           " argument(s)");
    }
    for (auto& [k, v] : args.keyword) {
      bool known = false;
      for (auto& p : params) known = known || p.first == k;
      if (!known) fail("macro '" + macro->name + "' takes no keyword argument '" + k + "'");
    }
    auto parent = closure.lock();
    Render::ScopeGuard scope(rr, parent ? parent : rr.globals());
    for (std::size_t i = 0; i < params.size(); ++i) {
      Value v = args.get(i, params[i].first, Undefined{"'" + params[i].first + "' is undefined"});
      if (v.is_undefined() && params[i].second) v = params[i].second->eval(rr);
      rr.assign(params[i].first, std::move(v));
    }
    return capture_body(rr, macro->body);
  };
  r.assign(name, Value(std::shared_ptr<const Function>(std::move(f))));
  return Flow::Normal;
}

Flow LoopControlStmt::exec(Render&) const {
  return flow;
}

Flow BodyStmt::exec(Render& r) const {
  return exec_body(r, body);
}

}  // namespace nib::jinja
