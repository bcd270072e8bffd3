#include "text/components.hpp"

#include <nib/error.hpp>

namespace nib::text {

void format_error(const std::string& where, const std::string& what) {
  throw Error(Status::Format, where + ": " + what);
}

const Json& member(const Json& j, const char* key, const std::string& where) {
  if (!j.is_object()) format_error(where, std::string("expected an object, got ") + j.type_name());
  auto it = j.find(key);
  if (it == j.end()) format_error(where, std::string("missing key \"") + key + "\"");
  return *it;
}

std::string type_of(const Json& j, const std::string& where) {
  const Json& t = member(j, "type", where);
  if (!t.is_string()) format_error(where + ".type", std::string("expected a string, got ") + t.type_name());
  return t.get<std::string>();
}

const Json& array_member(const Json& j, const char* key, const std::string& where) {
  const Json& v = member(j, key, where);
  if (!v.is_array()) format_error(where + "." + key, std::string("expected an array, got ") + v.type_name());
  return v;
}

std::string string_member(const Json& j, const char* key, const std::string& where) {
  const Json& v = member(j, key, where);
  if (!v.is_string()) format_error(where + "." + key, std::string("expected a string, got ") + v.type_name());
  return v.get<std::string>();
}

std::string string_member(const Json& j, const char* key, const std::string& where,
                          const std::string& fallback) {
  if (!j.is_object()) format_error(where, std::string("expected an object, got ") + j.type_name());
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_string())
    format_error(where + "." + key, std::string("expected a string, got ") + it->type_name());
  return it->get<std::string>();
}

bool bool_member(const Json& j, const char* key, const std::string& where, bool fallback) {
  if (!j.is_object()) format_error(where, std::string("expected an object, got ") + j.type_name());
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean())
    format_error(where + "." + key, std::string("expected a boolean, got ") + it->type_name());
  return it->get<bool>();
}

std::int64_t int_member(const Json& j, const char* key, const std::string& where, std::int64_t fallback) {
  if (!j.is_object()) format_error(where, std::string("expected an object, got ") + j.type_name());
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_number_integer())
    format_error(where + "." + key, std::string("expected an integer, got ") + it->type_name());
  return it->get<std::int64_t>();
}

}  // namespace nib::text
