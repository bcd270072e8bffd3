#include "text/jinja/parser.hpp"

#include <initializer_list>
#include <span>
#include <string_view>

#include "text/jinja/errors.hpp"

namespace nib::jinja {
namespace {

using T = Token::Type;

template <class N>
std::unique_ptr<N> node(int line) {
  auto n = std::make_unique<N>();
  n->line = line;
  return n;
}

// A spelling of a binary operator: a keyword (`and`) is a Name token, a symbol an Op token.
struct OpSpelling {
  std::string_view text;
  BinaryOp op;
  bool keyword = false;
};

// Jinja2's precedence, loosest first: or, and, not, comparisons, + -, ~, * / // %, **, unary.
constexpr OpSpelling kOr[] = {{"or", BinaryOp::Or, true}};
constexpr OpSpelling kAnd[] = {{"and", BinaryOp::And, true}};
constexpr OpSpelling kMath1[] = {{"+", BinaryOp::Add}, {"-", BinaryOp::Sub}};
constexpr OpSpelling kConcat[] = {{"~", BinaryOp::Concat}};
constexpr OpSpelling kMath2[] = {
    {"*", BinaryOp::Mul}, {"/", BinaryOp::Div}, {"//", BinaryOp::FloorDiv}, {"%", BinaryOp::Mod}};
constexpr OpSpelling kPow[] = {{"**", BinaryOp::Pow}};

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, int max_depth) : toks_(tokens), max_depth_(max_depth) {}

  Body parse_template() {
    std::string end;
    Body body = parse_body({}, end);
    return body;
  }

 private:
  // --- token stream ---
  const Token& cur() const { return toks_[pos_]; }
  const Token& peek(std::size_t n = 1) const { return toks_[std::min(pos_ + n, toks_.size() - 1)]; }
  const Token& next() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool is_op(std::string_view op) const { return cur().type == T::Op && cur().text == op; }
  bool is_name(std::string_view name) const { return cur().type == T::Name && cur().text == name; }
  bool skip_op(std::string_view op) {
    if (!is_op(op)) return false;
    next();
    return true;
  }
  bool skip_name(std::string_view name) {
    if (!is_name(name)) return false;
    next();
    return true;
  }
  [[noreturn]] void unexpected(const std::string& expected) const {
    std::string got =
        cur().type == T::Name || cur().type == T::Op ? "'" + cur().text + "'" : token_type_name(cur().type);
    fail_syntax(cur().line, "expected " + expected + ", got " + got);
  }
  void expect_op(std::string_view op) {
    if (!skip_op(op)) unexpected("'" + std::string(op) + "'");
  }
  std::string expect_name() {
    if (cur().type != T::Name) unexpected("a name");
    return next().text;
  }
  void expect_block_end() {
    if (cur().type != T::BlockEnd) unexpected("end of statement '%}'");
    next();
  }

  struct DepthGuard {
    explicit DepthGuard(Parser& p) : p(p) {
      if (++p.depth_ > p.max_depth_) fail_syntax(p.cur().line, "template nesting is too deep");
    }
    ~DepthGuard() { --p.depth_; }
    Parser& p;
  };

  // --- statements ---

  // Parses until a block tag named in `ends` (left unconsumed after its name: `end` says which)
  // or, with no ends, until the end of the template.
  Body parse_body(std::initializer_list<std::string_view> ends, std::string& end) {
    DepthGuard guard(*this);
    Body body;
    while (true) {
      const Token& t = cur();
      if (t.type == T::End) {
        if (ends.size() == 0) return body;
        std::string expected;
        for (auto e : ends) expected += (expected.empty() ? "'" : " or '") + std::string(e) + "'";
        fail_syntax(t.line, "unexpected end of template, expected " + expected);
      }
      if (t.type == T::Text) {
        auto s = node<TextStmt>(t.line);
        s->text = t.text;
        next();
        body.push_back(std::move(s));
      } else if (t.type == T::VarBegin) {
        next();
        auto s = node<OutputStmt>(t.line);
        s->expr = parse_tuple(true);
        if (cur().type != T::VarEnd) unexpected("end of print statement '}}'");
        next();
        body.push_back(std::move(s));
      } else if (t.type == T::BlockBegin) {
        next();
        if (cur().type != T::Name) unexpected("a statement name");
        for (auto e : ends) {
          if (cur().text == e) {
            end = next().text;
            return body;
          }
        }
        body.push_back(parse_statement());
      } else {
        unexpected("text or a tag");
      }
    }
  }

  StmtPtr parse_statement() {
    int line = cur().line;
    std::string name = next().text;
    if (name == "if") return parse_if(line);
    if (name == "for") return parse_for(line);
    if (name == "set") return parse_set(line);
    if (name == "macro") return parse_macro(line);
    if (name == "with") return parse_with(line);
    if (name == "filter") return parse_filter_block(line);
    if (name == "break" || name == "continue") {
      expect_block_end();
      if (loop_depth_ == 0) fail_syntax(line, "'" + name + "' outside of a loop");
      auto s = node<LoopControlStmt>(line);
      s->flow = name == "break" ? Flow::Break : Flow::Continue;
      return s;
    }
    if (name == "generation") {
      expect_block_end();
      auto s = node<BodyStmt>(line);
      std::string end;
      s->body = parse_body({"endgeneration"}, end);
      expect_block_end();
      return s;
    }
    fail_syntax(line, "unknown or unsupported tag '" + name + "'");
  }

  StmtPtr parse_if(int line) {
    auto s = node<IfStmt>(line);
    while (true) {
      auto cond = parse_expression(true);
      expect_block_end();
      std::string end;
      Body body = parse_body({"elif", "else", "endif"}, end);
      s->branches.emplace_back(std::move(cond), std::move(body));
      if (end == "elif") continue;
      if (end == "else") {
        expect_block_end();
        s->otherwise = parse_body({"endif"}, end);
      }
      expect_block_end();
      return s;
    }
  }

  // Assignment targets: `a`, `a, b`, `(a, b)`.
  std::vector<std::string> parse_targets(bool& unpack) {
    bool parens = skip_op("(");
    std::vector<std::string> names{expect_name()};
    unpack = parens;
    while (skip_op(",")) {
      unpack = true;
      if (cur().type != T::Name || is_name("in")) break;
      names.push_back(expect_name());
    }
    if (parens) expect_op(")");
    return names;
  }

  StmtPtr parse_for(int line) {
    auto s = node<ForStmt>(line);
    s->targets = parse_targets(s->unpack);
    if (!skip_name("in")) unexpected("'in'");
    s->iterable = parse_tuple(false);
    if (skip_name("if")) s->filter = parse_expression(true);
    if (is_name("recursive")) fail_syntax(line, "recursive loops are not supported");
    expect_block_end();
    std::string end;
    ++loop_depth_;
    s->body = parse_body({"else", "endfor"}, end);
    --loop_depth_;
    if (end == "else") {
      expect_block_end();
      int saved = loop_depth_;
      loop_depth_ = 0;  // `else` runs outside the loop
      s->otherwise = parse_body({"endfor"}, end);
      loop_depth_ = saved;
    }
    expect_block_end();
    return s;
  }

  std::vector<std::unique_ptr<FilterCall>> parse_filter_chain(bool first_needs_pipe) {
    std::vector<std::unique_ptr<FilterCall>> filters;
    bool need_pipe = first_needs_pipe;
    while (!need_pipe || skip_op("|")) {
      need_pipe = true;
      auto f = node<FilterCall>(cur().line);
      f->name = expect_name();
      if (skip_op("(")) f->args = parse_call_args();
      filters.push_back(std::move(f));
    }
    return filters;
  }

  StmtPtr parse_set(int line) {
    if (cur().type == T::Name && peek().type == T::Op && peek().text == ".") {
      auto s = node<SetStmt>(line);
      s->targets.push_back(expect_name());
      next();
      s->attribute = expect_name();
      expect_op("=");
      s->value = parse_tuple(true);
      expect_block_end();
      return s;
    }
    bool unpack = false;
    auto targets = parse_targets(unpack);
    if (skip_op("=")) {
      auto s = node<SetStmt>(line);
      s->targets = std::move(targets);
      s->unpack = unpack;
      s->value = parse_tuple(true);
      expect_block_end();
      return s;
    }
    if (unpack) unexpected("'='");
    auto s = node<SetBlockStmt>(line);
    s->target = targets[0];
    s->filters = parse_filter_chain(true);
    expect_block_end();
    std::string end;
    s->body = parse_body({"endset"}, end);
    expect_block_end();
    return s;
  }

  StmtPtr parse_filter_block(int line) {
    auto s = node<FilterBlockStmt>(line);
    s->filters = parse_filter_chain(false);
    expect_block_end();
    std::string end;
    s->body = parse_body({"endfilter"}, end);
    expect_block_end();
    return s;
  }

  StmtPtr parse_with(int line) {
    auto s = node<WithStmt>(line);
    while (cur().type != T::BlockEnd) {
      if (!s->assignments.empty()) expect_op(",");
      std::string name = expect_name();
      expect_op("=");
      s->assignments.emplace_back(std::move(name), parse_expression(true));
    }
    expect_block_end();
    std::string end;
    s->body = parse_body({"endwith"}, end);
    expect_block_end();
    return s;
  }

  StmtPtr parse_macro(int line) {
    auto s = node<MacroStmt>(line);
    s->name = expect_name();
    expect_op("(");
    while (!skip_op(")")) {
      if (!s->params.empty()) expect_op(",");
      if (skip_op(")")) break;
      std::string name = expect_name();
      ExprPtr def;
      if (skip_op("=")) def = parse_expression(true);
      s->params.emplace_back(std::move(name), std::move(def));
    }
    expect_block_end();
    std::string end;
    int saved = loop_depth_;
    loop_depth_ = 0;
    s->body = parse_body({"endmacro"}, end);
    loop_depth_ = saved;
    if (cur().type == T::Name && cur().text == s->name) next();
    expect_block_end();
    return s;
  }

  // --- expressions ---

  bool is_tuple_end() const {
    return cur().type == T::VarEnd || cur().type == T::BlockEnd || is_op(")") || is_name("if");
  }

  // `a, b` builds a tuple (used by {{ }}, set values and for iterables).
  ExprPtr parse_tuple(bool with_condexpr) {
    int line = cur().line;
    auto first = parse_expression(with_condexpr);
    if (!is_op(",")) return first;
    auto list = node<ListLiteral>(line);
    list->items.push_back(std::move(first));
    while (skip_op(",")) {
      if (is_tuple_end()) break;
      list->items.push_back(parse_expression(with_condexpr));
    }
    return list;
  }

  ExprPtr parse_expression(bool with_condexpr) {
    DepthGuard guard(*this);
    return with_condexpr ? parse_condexpr() : parse_or();
  }

  ExprPtr parse_condexpr() {
    auto expr = parse_or();
    while (is_name("if")) {
      auto c = node<Conditional>(next().line);
      c->then = std::move(expr);
      c->cond = parse_or();
      if (skip_name("else")) c->otherwise = parse_condexpr();
      expr = std::move(c);
    }
    return expr;
  }

  const OpSpelling* match(std::span<const OpSpelling> ops) const {
    for (const auto& o : ops) {
      if (o.keyword ? is_name(o.text) : is_op(o.text)) return &o;
    }
    return nullptr;
  }

  // One left-associative precedence level: operands come from the next-tighter level.
  ExprPtr left_assoc(std::span<const OpSpelling> ops, ExprPtr (Parser::*operand)()) {
    auto lhs = (this->*operand)();
    while (const OpSpelling* o = match(ops)) {
      const int line = next().line;
      auto b = node<Binary>(line);
      b->op = o->op;
      b->lhs = std::move(lhs);
      b->rhs = (this->*operand)();
      lhs = std::move(b);
    }
    return lhs;
  }

  ExprPtr parse_or() { return left_assoc(kOr, &Parser::parse_and); }
  ExprPtr parse_and() { return left_assoc(kAnd, &Parser::parse_not); }

  ExprPtr parse_not() {
    if (is_name("not")) {
      DepthGuard guard(*this);
      auto u = node<Unary>(next().line);
      u->op = UnaryOp::Not;
      u->operand = parse_not();
      return u;
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    int line = cur().line;
    auto first = parse_math1();
    std::vector<std::pair<CompareOp, ExprPtr>> rest;
    while (true) {
      CompareOp op;
      if (skip_op("=="))
        op = CompareOp::Eq;
      else if (skip_op("!="))
        op = CompareOp::Ne;
      else if (skip_op("<"))
        op = CompareOp::Lt;
      else if (skip_op("<="))
        op = CompareOp::Le;
      else if (skip_op(">"))
        op = CompareOp::Gt;
      else if (skip_op(">="))
        op = CompareOp::Ge;
      else if (skip_name("in"))
        op = CompareOp::In;
      else if (is_name("not") && peek().type == T::Name && peek().text == "in") {
        next();
        next();
        op = CompareOp::NotIn;
      } else {
        break;
      }
      rest.emplace_back(op, parse_math1());
    }
    if (rest.empty()) return first;
    auto c = node<Compare>(line);
    c->first = std::move(first);
    c->rest = std::move(rest);
    return c;
  }

  ExprPtr parse_math1() { return left_assoc(kMath1, &Parser::parse_concat); }
  ExprPtr parse_concat() { return left_assoc(kConcat, &Parser::parse_math2); }
  ExprPtr parse_math2() { return left_assoc(kMath2, &Parser::parse_pow); }
  ExprPtr parse_pow() { return left_assoc(kPow, &Parser::parse_unary_filtered); }
  ExprPtr parse_unary_filtered() { return parse_unary(true); }

  ExprPtr parse_unary(bool with_filter) {
    DepthGuard guard(*this);
    ExprPtr expr;
    if (is_op("-") || is_op("+")) {
      auto u = node<Unary>(cur().line);
      u->op = next().text == "-" ? UnaryOp::Neg : UnaryOp::Pos;
      u->operand = parse_unary(false);
      expr = std::move(u);
    } else {
      expr = parse_primary();
    }
    expr = parse_postfix(std::move(expr));
    if (with_filter) expr = parse_filter_expr(std::move(expr));
    return expr;
  }

  ExprPtr parse_primary() {
    const Token& t = cur();
    int line = t.line;
    if (t.type == T::Name) {
      next();
      auto lit = node<Literal>(line);
      if (t.text == "true" || t.text == "True")
        lit->value = true;
      else if (t.text == "false" || t.text == "False")
        lit->value = false;
      else if (t.text == "none" || t.text == "None")
        lit->value = None{};
      else {
        auto n = node<NameRef>(line);
        n->name = t.text;
        return n;
      }
      return lit;
    }
    if (t.type == T::String) {
      std::string s;
      while (cur().type == T::String) s += next().text;  // adjacent literals concatenate
      auto lit = node<Literal>(line);
      lit->value = std::move(s);
      return lit;
    }
    if (t.type == T::Int || t.type == T::Float) {
      next();
      auto lit = node<Literal>(line);
      lit->value = t.type == T::Int ? Value(t.int_value) : Value(t.float_value);
      return lit;
    }
    if (skip_op("(")) {
      if (skip_op(")")) return node<ListLiteral>(line);
      auto e = parse_tuple(true);
      expect_op(")");
      return e;
    }
    if (skip_op("[")) {
      auto list = node<ListLiteral>(line);
      while (!skip_op("]")) {
        if (!list->items.empty()) expect_op(",");
        if (skip_op("]")) break;
        list->items.push_back(parse_expression(true));
      }
      return list;
    }
    if (skip_op("{")) {
      auto dict = node<DictLiteral>(line);
      while (!skip_op("}")) {
        if (!dict->items.empty()) expect_op(",");
        if (skip_op("}")) break;
        auto key = parse_expression(true);
        expect_op(":");
        dict->items.emplace_back(std::move(key), parse_expression(true));
      }
      return dict;
    }
    unexpected("an expression");
  }

  ExprPtr parse_postfix(ExprPtr expr) {
    while (true) {
      int line = cur().line;
      if (skip_op(".")) {
        if (cur().type == T::Int) {
          auto item = node<GetItem>(line);
          auto index = node<Literal>(line);
          index->value = next().int_value;
          item->object = std::move(expr);
          item->index = std::move(index);
          expr = std::move(item);
        } else {
          auto attr = node<GetAttr>(line);
          attr->object = std::move(expr);
          attr->name = expect_name();
          expr = std::move(attr);
        }
      } else if (skip_op("[")) {
        expr = parse_subscript(std::move(expr), line);
      } else if (skip_op("(")) {
        auto call = node<Call>(line);
        call->callee = std::move(expr);
        call->args = parse_call_args();
        expr = std::move(call);
      } else {
        return expr;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr object, int line) {
    ExprPtr parts[3];
    int colons = 0;
    while (!skip_op("]")) {
      if (skip_op(":")) {
        if (++colons > 2) unexpected("']'");
        continue;
      }
      if (parts[colons]) unexpected("':' or ']'");
      parts[colons] = parse_expression(true);
    }
    if (colons == 0) {
      if (!parts[0]) unexpected("an index");
      auto item = node<GetItem>(line);
      item->object = std::move(object);
      item->index = std::move(parts[0]);
      return item;
    }
    auto slice = node<SliceExpr>(line);
    slice->object = std::move(object);
    slice->start = std::move(parts[0]);
    slice->stop = std::move(parts[1]);
    slice->step = std::move(parts[2]);
    return slice;
  }

  // After '(' : positional and keyword arguments up to ')'.
  CallArgs parse_call_args() {
    CallArgs args;
    bool first = true;
    while (!skip_op(")")) {
      if (!first) expect_op(",");
      first = false;
      if (skip_op(")")) break;
      if (cur().type == T::Name && peek().type == T::Op && peek().text == "=") {
        std::string name = next().text;
        next();
        args.keyword.emplace_back(std::move(name), parse_expression(true));
      } else {
        if (!args.keyword.empty()) fail_syntax(cur().line, "positional argument after keyword argument");
        args.positional.push_back(parse_expression(true));
      }
    }
    return args;
  }

  ExprPtr parse_filter_expr(ExprPtr expr) {
    while (true) {
      int line = cur().line;
      if (skip_op("|")) {
        auto f = node<FilterCall>(line);
        f->operand = std::move(expr);
        f->name = expect_name();
        if (skip_op("(")) f->args = parse_call_args();
        expr = std::move(f);
      } else if (skip_name("is")) {
        auto t = node<TestCall>(line);
        t->operand = std::move(expr);
        t->negated = skip_name("not");
        t->name = expect_name();
        if (skip_op("(")) {
          t->args = parse_call_args();
        } else if (starts_test_argument()) {
          t->args.positional.push_back(parse_postfix(parse_primary()));
        }
        expr = std::move(t);
      } else if (skip_op("(")) {
        auto call = node<Call>(line);
        call->callee = std::move(expr);
        call->args = parse_call_args();
        expr = std::move(call);
      } else {
        return expr;
      }
    }
  }

  // `x is divisibleby 3`, `x is sameas none`: a test takes one bare argument when one follows.
  bool starts_test_argument() const {
    const Token& t = cur();
    if (t.type == T::Name) return t.text != "else" && t.text != "or" && t.text != "and" && t.text != "if";
    return t.type == T::String || t.type == T::Int || t.type == T::Float || is_op("[") || is_op("{");
  }

  const std::vector<Token>& toks_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  int max_depth_;
  int loop_depth_ = 0;
};

}  // namespace

Body parse(const std::vector<Token>& tokens, int max_depth) {
  return Parser(tokens, max_depth).parse_template();
}

}  // namespace nib::jinja
