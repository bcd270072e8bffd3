#pragma once
// JSON reading with errors that name the file and key. Every value read from a file is
// type-checked here before use; nothing else in lib/ should call nlohmann's get<> on file data.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace nib::io {

using Json = nlohmann::json;

// Files nest a few levels; a cap keeps hostile nesting from costing stack or time anywhere later.
constexpr int kMaxJsonDepth = 64;

// Strict parse (no comments, no trailing commas, no key twice in one object, at most kMaxJsonDepth
// levels); a Format error naming `source` on failure.
Json parse_json(std::string_view text, const std::string& source);
// Reads and parses a file; Io error if unreadable, Format error if malformed.
Json read_json_file(const std::filesystem::path& path, std::size_t max_bytes = 256u << 20);

// A JSON object plus the name used in error messages ("config.json", "tokenizer.json: model").
class JsonView {
 public:
  JsonView(const Json& value, std::string where);

  const Json& json() const { return *value_; }
  const std::string& where() const { return where_; }
  bool has(std::string_view key) const;                      // present and not null
  JsonView at(std::string_view key) const;                   // required object member of any type
  std::optional<JsonView> find(std::string_view key) const;  // present and not null

  std::int64_t get_int(std::string_view key) const;
  double get_number(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  std::string get_string(std::string_view key) const;
  std::vector<std::string> get_strings(std::string_view key) const;

  std::optional<std::int64_t> opt_int(std::string_view key) const;
  std::optional<double> opt_number(std::string_view key) const;
  std::optional<bool> opt_bool(std::string_view key) const;
  std::optional<std::string> opt_string(std::string_view key) const;

  std::int64_t get_int(std::string_view key, std::int64_t fallback) const;
  double get_number(std::string_view key, double fallback) const;
  bool get_bool(std::string_view key, bool fallback) const;
  std::string get_string(std::string_view key, const std::string& fallback) const;

  [[noreturn]] void fail(std::string_view key, const std::string& what) const;

 private:
  const Json& require(std::string_view key) const;
  const Json* value_;
  std::string where_;
};

}  // namespace nib::io
