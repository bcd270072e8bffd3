#include "text/jinja/render.hpp"

#include "text/jinja/errors.hpp"

namespace nib::jinja {

const Value* Scope::find(std::string_view name) const {
  for (const Scope* s = this; s; s = s->parent.get()) {
    for (auto& [k, v] : s->vars) {
      if (k == name) return &v;
    }
  }
  return nullptr;
}

void Scope::set(const std::string& name, Value value) {
  for (auto& [k, v] : vars) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  vars.emplace_back(name, std::move(value));
}

Render::Render(const Limits& limits, std::shared_ptr<Scope> globals,
               std::chrono::system_clock::time_point now)
    : limits_(limits), globals_(std::move(globals)), now_(now) {
  scope_ = std::make_shared<Scope>();
  scope_->parent = globals_;
}

Render::~Render() {
  for (auto& weak : namespaces_) {
    if (auto ns = weak.lock()) ns->attrs.items.clear();
  }
}

Value Render::lookup(std::string_view name) const {
  if (const Value* v = scope_->find(name)) return *v;
  return Undefined{"'" + std::string(name) + "' is undefined"};
}

void Render::write(std::string_view text) {
  if (out_.size() + text.size() > limits_.max_output_bytes) {
    fail("output exceeds the limit of " + std::to_string(limits_.max_output_bytes) + " bytes");
  }
  charge(text.size());
  out_ += text;
}

void Render::charge(std::uint64_t units) {
  work_ += units;
  if (work_ > limits_.max_work) fail("template exceeds its work budget (runaway loop or recursion?)");
}

void Render::count_iteration() {
  if (++iterations_ > limits_.max_loop_iterations) {
    fail("template exceeds the limit of " + std::to_string(limits_.max_loop_iterations) + " loop iterations");
  }
}

void Render::check_string(std::size_t bytes) const {
  if (bytes > limits_.max_output_bytes) {
    fail("string of " + std::to_string(bytes) + " bytes exceeds the limit of " +
         std::to_string(limits_.max_output_bytes));
  }
}

void Render::check_items(std::size_t items) const {
  if (items > limits_.max_items) {
    fail("list of " + std::to_string(items) + " items exceeds the limit of " +
         std::to_string(limits_.max_items));
  }
}

std::shared_ptr<Namespace> Render::new_namespace() {
  auto ns = std::make_shared<Namespace>();
  namespaces_.push_back(ns);
  return ns;
}

Render::ScopeGuard::ScopeGuard(Render& r, std::shared_ptr<Scope> parent) : r_(r), saved_(r.scope_) {
  auto child = std::make_shared<Scope>();
  child->parent = std::move(parent);
  r_.scope_ = std::move(child);
}

Render::ScopeGuard::~ScopeGuard() {
  r_.scope_ = std::move(saved_);
}

Render::Capture::Capture(Render& r) : r_(r) {
  saved_.swap(r_.out_);
}

Render::Capture::~Capture() {
  saved_.swap(r_.out_);
}

std::string Render::Capture::take() {
  return std::exchange(r_.out_, std::string());
}

Render::CallGuard::CallGuard(Render& r, const std::string& what) : r_(r) {
  if (++r_.call_depth_ > r_.limits_.max_call_depth) {
    --r_.call_depth_;
    fail("calls of " + what + " nest deeper than " + std::to_string(r_.limits_.max_call_depth) +
         " (runaway recursion?)");
  }
}

}  // namespace nib::jinja
