#pragma once
// The parsed template. Expressions evaluate to a Value, statements write to the render's output;
// both carry their source line for error messages. eval()/exec() live in eval_*.cpp / exec.cpp.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "text/jinja/value.hpp"

namespace nib::jinja {

class Render;

struct Expr {
  int line = 0;
  virtual ~Expr() = default;
  virtual Value eval(Render& r) const = 0;
};
using ExprPtr = std::unique_ptr<Expr>;

struct CallArgs {
  std::vector<ExprPtr> positional;
  std::vector<std::pair<std::string, ExprPtr>> keyword;
  Args eval(Render& r) const;
};

struct Literal : Expr {
  Value value;
  Value eval(Render& r) const override;
};

struct NameRef : Expr {
  std::string name;
  Value eval(Render& r) const override;
};

struct ListLiteral : Expr {  // lists and tuples (a tuple behaves as a list here)
  std::vector<ExprPtr> items;
  Value eval(Render& r) const override;
};

struct DictLiteral : Expr {
  std::vector<std::pair<ExprPtr, ExprPtr>> items;
  Value eval(Render& r) const override;
};

struct GetAttr : Expr {  // a.b (and a.0, which jinja2 treats as a[0])
  ExprPtr object;
  std::string name;
  Value eval(Render& r) const override;
};

struct GetItem : Expr {  // a[x]
  ExprPtr object, index;
  Value eval(Render& r) const override;
};

struct SliceExpr : Expr {  // a[start:stop:step], each part optional
  ExprPtr object, start, stop, step;
  Value eval(Render& r) const override;
};

struct Call : Expr {
  ExprPtr callee;
  CallArgs args;
  Value eval(Render& r) const override;
};

struct FilterCall : Expr {  // operand | name(args)
  ExprPtr operand;          // null inside {% filter %} / {% set x | f %}, where apply() is used
  std::string name;
  CallArgs args;
  Value eval(Render& r) const override;
  Value apply(Render& r, const Value& operand_value) const;
};

struct TestCall : Expr {  // operand is [not] name(args)
  ExprPtr operand;
  std::string name;
  CallArgs args;
  bool negated = false;
  Value eval(Render& r) const override;
};

enum class UnaryOp { Neg, Pos, Not };
struct Unary : Expr {
  UnaryOp op;
  ExprPtr operand;
  Value eval(Render& r) const override;
};

enum class BinaryOp { Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Concat, And, Or };
struct Binary : Expr {
  BinaryOp op;
  ExprPtr lhs, rhs;
  Value eval(Render& r) const override;
};

enum class CompareOp { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn };
struct Compare : Expr {  // chained: a < b < c
  ExprPtr first;
  std::vector<std::pair<CompareOp, ExprPtr>> rest;
  Value eval(Render& r) const override;
};

struct Conditional : Expr {  // then if cond else otherwise (otherwise optional: Undefined)
  ExprPtr cond, then, otherwise;
  Value eval(Render& r) const override;
};

// --- statements -----------------------------------------------------------------------------

enum class Flow { Normal, Break, Continue };

struct Stmt {
  int line = 0;
  virtual ~Stmt() = default;
  virtual Flow exec(Render& r) const = 0;
};
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

// Runs statements in order, stopping at break/continue.
Flow exec_body(Render& r, const Body& body);

struct TextStmt : Stmt {
  std::string text;
  Flow exec(Render& r) const override;
};

struct OutputStmt : Stmt {  // {{ expr }}
  ExprPtr expr;
  Flow exec(Render& r) const override;
};

struct IfStmt : Stmt {
  std::vector<std::pair<ExprPtr, Body>> branches;  // if + elifs
  Body otherwise;
  Flow exec(Render& r) const override;
};

struct ForStmt : Stmt {
  std::vector<std::string> targets;  // one name, or several to unpack each item
  bool unpack = false;
  ExprPtr iterable, filter;
  Body body, otherwise;
  Flow exec(Render& r) const override;
};

struct SetStmt : Stmt {  // set a = v | set a, b = v | set ns.attr = v
  std::vector<std::string> targets;
  bool unpack = false;
  std::string attribute;  // non-empty: targets[0] is a namespace
  ExprPtr value;
  Flow exec(Render& r) const override;
};

struct SetBlockStmt : Stmt {  // {% set a | filters %}body{% endset %}
  std::string target;
  std::vector<std::unique_ptr<FilterCall>> filters;
  Body body;
  Flow exec(Render& r) const override;
};

struct FilterBlockStmt : Stmt {  // {% filter f %}body{% endfilter %}
  std::vector<std::unique_ptr<FilterCall>> filters;
  Body body;
  Flow exec(Render& r) const override;
};

struct WithStmt : Stmt {  // {% with a = 1 %}body{% endwith %}
  std::vector<std::pair<std::string, ExprPtr>> assignments;
  Body body;
  Flow exec(Render& r) const override;
};

struct MacroStmt : Stmt {
  std::string name;
  std::vector<std::pair<std::string, ExprPtr>> params;  // default may be null
  Body body;
  Flow exec(Render& r) const override;
};

struct LoopControlStmt : Stmt {  // break / continue
  Flow flow = Flow::Break;
  Flow exec(Render& r) const override;
};

struct BodyStmt : Stmt {  // {% generation %}: the body, unchanged
  Body body;
  Flow exec(Render& r) const override;
};

}  // namespace nib::jinja
