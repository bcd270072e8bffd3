#pragma once
// The state of one render: variable scopes, the output being written, and the budgets that keep a
// hostile template bounded in time and memory.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/jinja/value.hpp"

namespace nib::jinja {

struct Limits {
  std::size_t max_output_bytes = 16u << 20;  // rendered text, and any single string built
  std::size_t max_items = 1u << 20;          // elements of any list built (range(), repetition, ...)
  std::uint64_t max_loop_iterations = 250'000;
  std::uint64_t max_work = 20'000'000;  // statements, calls, bytes/items copied: bounds time
  int max_call_depth = 64;              // nested macro calls
  int max_nesting = 200;                // parser nesting (expressions, blocks)
};

// Variables of one frame; lookups walk to the parent (a for body sees the template's variables).
struct Scope {
  std::shared_ptr<Scope> parent;
  std::vector<std::pair<std::string, Value>> vars;
  const Value* find(std::string_view name) const;
  void set(const std::string& name, Value value);
};

class Render {
 public:
  Render(const Limits& limits, std::shared_ptr<Scope> globals, std::chrono::system_clock::time_point now);
  ~Render();
  Render(const Render&) = delete;
  Render& operator=(const Render&) = delete;

  const Limits& limits() const { return limits_; }
  std::chrono::system_clock::time_point now() const { return now_; }

  Value lookup(std::string_view name) const;
  void assign(const std::string& name, Value value) { scope_->set(name, std::move(value)); }
  const std::shared_ptr<Scope>& scope() const { return scope_; }
  const std::shared_ptr<Scope>& globals() const { return globals_; }

  void write(std::string_view text);
  std::string& output() { return out_; }

  // Spends `units` of the work budget; fails once it is exhausted.
  void charge(std::uint64_t units);
  void count_iteration();
  // Fails when a string of `bytes` or a list of `items` would exceed the limits.
  void check_string(std::size_t bytes) const;
  void check_items(std::size_t items) const;

  // Namespaces created during this render: their attributes are cleared afterwards, so one that
  // refers to itself cannot leak.
  std::shared_ptr<Namespace> new_namespace();

  // Enters a child scope (for bodies, macro calls, with blocks) for the guard's lifetime.
  class ScopeGuard {
   public:
    ScopeGuard(Render& r, std::shared_ptr<Scope> parent);
    ~ScopeGuard();
    ScopeGuard(const ScopeGuard&) = delete;
    ScopeGuard& operator=(const ScopeGuard&) = delete;

   private:
    Render& r_;
    std::shared_ptr<Scope> saved_;
  };

  // Redirects output to a buffer (macro bodies, set blocks) for the guard's lifetime.
  class Capture {
   public:
    explicit Capture(Render& r);
    ~Capture();
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    std::string take();

   private:
    Render& r_;
    std::string saved_;
  };

  class CallGuard {
   public:
    explicit CallGuard(Render& r, const std::string& what);
    ~CallGuard() { --r_.call_depth_; }
    CallGuard(const CallGuard&) = delete;
    CallGuard& operator=(const CallGuard&) = delete;

   private:
    Render& r_;
  };

 private:
  Limits limits_;
  std::shared_ptr<Scope> globals_;
  std::shared_ptr<Scope> scope_;
  std::chrono::system_clock::time_point now_;
  std::string out_;
  std::uint64_t work_ = 0;
  std::uint64_t iterations_ = 0;
  int call_depth_ = 0;
  std::vector<std::weak_ptr<Namespace>> namespaces_;
};

}  // namespace nib::jinja
