#include "io/json.hpp"

#include <fstream>
#include <limits>
#include <sstream>

#include <nib/error.hpp>

namespace nib::io {

namespace {
const char* type_name(const Json& v) {
  return v.type_name();
}
}  // namespace

namespace {

// nlohmann's SAX events built into a DOM like Json::parse does, but refusing what the default
// parser accepts silently: a key repeated in one object (the last one would win unseen, e.g. two
// tensors of one name) and nesting deeper than kMaxJsonDepth (no file nib reads nests past ~8).
class StrictDomBuilder {
 public:
  StrictDomBuilder(Json& root, const std::string& source) : root_(root), source_(source) {}

  bool null() { return put(nullptr); }
  bool boolean(bool v) { return put(v); }
  bool number_integer(Json::number_integer_t v) { return put(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return put(v); }
  bool number_float(Json::number_float_t v, const Json::string_t&) { return put(v); }
  bool string(Json::string_t& v) { return put(std::move(v)); }
  bool binary(Json::binary_t& v) { return put(std::move(v)); }
  bool start_object(std::size_t) { return open(Json::object()); }
  bool start_array(std::size_t) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(Json::string_t& k) {
    auto& object = stack_.back()->get_ref<Json::object_t&>();
    auto [it, inserted] = object.try_emplace(k);
    if (!inserted) throw Error(Status::Format, source_ + ": invalid JSON: duplicate key \"" + k + "\"");
    slot_ = &it->second;
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    throw Error(Status::Format, source_ + ": invalid JSON: " + e.what());
  }

 private:
  template <class V>
  bool put(V&& v) {
    place(Json(std::forward<V>(v)));
    return true;
  }
  Json* place(Json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    if (stack_.back()->is_array()) {
      stack_.back()->push_back(std::move(v));
      return &stack_.back()->back();
    }
    *slot_ = std::move(v);
    return slot_;
  }
  bool open(Json&& container) {
    if (stack_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
      throw Error(Status::Format, source_ + ": invalid JSON: nested deeper than " +
                                      std::to_string(kMaxJsonDepth) + " levels");
    }
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  Json& root_;
  const std::string& source_;
  std::vector<Json*> stack_;  // the open containers, innermost last
  Json* slot_ = nullptr;      // the value of the last key read
};

}  // namespace

Json parse_json(std::string_view text, const std::string& source) {
  Json root;
  StrictDomBuilder builder(root, source);
  try {
    Json::sax_parse(text.begin(), text.end(), &builder, Json::input_format_t::json, /*strict=*/true,
                    /*ignore_comments=*/false);
  } catch (const Json::exception& e) {
    throw Error(Status::Format, source + ": invalid JSON: " + e.what());
  }
  return root;
}

Json read_json_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Status::Io, "cannot open " + path.string());
  in.seekg(0, std::ios::end);
  auto size = static_cast<std::size_t>(in.tellg());
  if (size > max_bytes) {
    throw Error(Status::Format, path.string() + ": file of " + std::to_string(size) +
                                    " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  in.seekg(0);
  std::string text(size, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(size))) {
    throw Error(Status::Io, "cannot read " + path.string());
  }
  return parse_json(text, path.string());
}

JsonView::JsonView(const Json& value, std::string where) : value_(&value), where_(std::move(where)) {
  if (!value.is_object()) {
    throw Error(Status::Format, where_ + ": expected a JSON object, got " + type_name(value));
  }
}

void JsonView::fail(std::string_view key, const std::string& what) const {
  throw Error(Status::Format, where_ + ": key \"" + std::string(key) + "\": " + what);
}

bool JsonView::has(std::string_view key) const {
  auto it = value_->find(key);
  return it != value_->end() && !it->is_null();
}

const Json& JsonView::require(std::string_view key) const {
  auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) fail(key, "missing required key");
  return *it;
}

JsonView JsonView::at(std::string_view key) const {
  const Json& v = require(key);
  if (!v.is_object()) fail(key, std::string("expected an object, got ") + type_name(v));
  return JsonView(v, where_ + "." + std::string(key));
}

std::optional<JsonView> JsonView::find(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return at(key);
}

std::int64_t JsonView::get_int(std::string_view key) const {
  const Json& v = require(key);
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(u);
  } else if (v.is_number_integer()) {
    return v.get<std::int64_t>();
  } else if (v.is_number_float()) {
    // Range first: converting a double outside int64 is undefined behaviour (fuzz_model_config).
    const double d = v.get<double>();
    if (d > -9.2e18 && d < 9.2e18 && d == static_cast<double>(static_cast<std::int64_t>(d))) {
      return static_cast<std::int64_t>(d);
    }
  }
  fail(key, std::string("expected an integer, got ") + type_name(v));
}

double JsonView::get_number(std::string_view key) const {
  const Json& v = require(key);
  if (!v.is_number()) fail(key, std::string("expected a number, got ") + type_name(v));
  return v.get<double>();
}

bool JsonView::get_bool(std::string_view key) const {
  const Json& v = require(key);
  if (!v.is_boolean()) fail(key, std::string("expected a boolean, got ") + type_name(v));
  return v.get<bool>();
}

std::string JsonView::get_string(std::string_view key) const {
  const Json& v = require(key);
  if (!v.is_string()) fail(key, std::string("expected a string, got ") + type_name(v));
  return v.get<std::string>();
}

std::vector<std::string> JsonView::get_strings(std::string_view key) const {
  const Json& v = require(key);
  if (!v.is_array()) fail(key, std::string("expected an array of strings, got ") + type_name(v));
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) fail(key, std::string("expected an array of strings, found ") + type_name(e));
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::optional<std::int64_t> JsonView::opt_int(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_int(key);
}
std::optional<double> JsonView::opt_number(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_number(key);
}
std::optional<bool> JsonView::opt_bool(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_bool(key);
}
std::optional<std::string> JsonView::opt_string(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_string(key);
}

std::int64_t JsonView::get_int(std::string_view key, std::int64_t fallback) const {
  return has(key) ? get_int(key) : fallback;
}
double JsonView::get_number(std::string_view key, double fallback) const {
  return has(key) ? get_number(key) : fallback;
}
bool JsonView::get_bool(std::string_view key, bool fallback) const {
  return has(key) ? get_bool(key) : fallback;
}
std::string JsonView::get_string(std::string_view key, const std::string& fallback) const {
  return has(key) ? get_string(key) : fallback;
}

}  // namespace nib::io
