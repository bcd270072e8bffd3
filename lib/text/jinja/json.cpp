#include "text/jinja/json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nib/error.hpp>
#include <nlohmann/json.hpp>

#include "text/jinja/errors.hpp"
#include "text/jinja/utf8.hpp"

namespace nib::jinja {
namespace {

using Ordered = nlohmann::ordered_json;

Value from_json(const Ordered& j, int depth) {
  if (depth > 512) throw Error(Status::Format, "JSON nests deeper than 512 levels");
  switch (j.type()) {
    case Ordered::value_t::null: return None{};
    case Ordered::value_t::boolean: return j.get<bool>();
    case Ordered::value_t::number_integer: return j.get<std::int64_t>();
    case Ordered::value_t::number_unsigned: {
      auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX)) return static_cast<double>(u);
      return static_cast<std::int64_t>(u);
    }
    case Ordered::value_t::number_float: return j.get<double>();
    case Ordered::value_t::string: return j.get<std::string>();
    case Ordered::value_t::array: {
      List items;
      for (auto& item : j) items.push_back(from_json(item, depth + 1));
      return make_list(std::move(items));
    }
    case Ordered::value_t::object: {
      Dict d;
      for (auto& [k, v] : j.items()) d.set(Value(k), from_json(v, depth + 1));
      return make_dict(std::move(d));
    }
    default: throw Error(Status::Format, "unsupported JSON value");
  }
}

void write_string(std::string& out, const std::string& s, bool ensure_ascii) {
  out += '"';
  auto hex4 = [&](std::uint32_t u) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u%04x", u & 0xFFFFu);
    out += buf;
  };
  for (auto cp : decode_utf8(s)) {
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (cp < 0x20) {
          hex4(cp);
        } else if (ensure_ascii && cp > 0x7e) {
          if (cp >= 0x10000) {
            cp -= 0x10000;
            hex4(0xD800 + (cp >> 10));
            hex4(0xDC00 + (cp & 0x3FF));
          } else {
            hex4(cp);
          }
        } else {
          append_utf8(out, cp);
        }
    }
  }
  out += '"';
}

std::string float_json(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  return float_repr(d);
}

std::string key_string(const Value& k) {
  switch (k.kind()) {
    case Value::Kind::String: return k.as_string();
    case Value::Kind::Bool: return k.as_bool() ? "true" : "false";
    case Value::Kind::None: return "null";
    case Value::Kind::Int: return std::to_string(k.as_int());
    case Value::Kind::Float: return float_json(k.as_double());
    default: fail(std::string("keys must be str, int, float, bool or None, not ") + type_name(k));
  }
}

class Writer {
 public:
  explicit Writer(const JsonStyle& style)
      : style_(style), item_sep_(style.item_separator.value_or(style.indent ? "," : ", ")) {}

  void write(std::string& out, const Value& v, int level) {
    if (level > 512) fail("tojson: value nests too deeply");
    switch (v.kind()) {
      case Value::Kind::None: out += "null"; return;
      case Value::Kind::Bool: out += v.as_bool() ? "true" : "false"; return;
      case Value::Kind::Int: out += std::to_string(v.as_int()); return;
      case Value::Kind::Float: out += float_json(v.as_double()); return;
      case Value::Kind::String: write_string(out, v.as_string(), style_.ensure_ascii); return;
      case Value::Kind::List: {
        auto& l = v.as_list();
        if (l.empty()) {
          out += "[]";
          return;
        }
        out += '[';
        for (std::size_t i = 0; i < l.size(); ++i) {
          out += i ? item_sep_ : "";
          newline(out, level + 1);
          write(out, l[i], level + 1);
        }
        newline(out, level);
        out += ']';
        return;
      }
      case Value::Kind::Dict: {
        if (v.as_dict().items.empty()) {
          out += "{}";
          return;
        }
        std::vector<std::pair<std::string, const Value*>> keyed;
        for (auto& [k, item] : v.as_dict().items) keyed.emplace_back(key_string(k), &item);
        if (style_.sort_keys) {
          std::stable_sort(keyed.begin(), keyed.end(), [](auto& a, auto& b) { return a.first < b.first; });
        }
        out += '{';
        for (std::size_t i = 0; i < keyed.size(); ++i) {
          out += i ? item_sep_ : "";
          newline(out, level + 1);
          write_string(out, keyed[i].first, style_.ensure_ascii);
          out += style_.key_separator;
          write(out, *keyed[i].second, level + 1);
        }
        newline(out, level);
        out += '}';
        return;
      }
      default: fail(std::string("Object of type ") + type_name(v) + " is not JSON serializable");
    }
  }

 private:
  void newline(std::string& out, int level) const {
    if (!style_.indent) return;
    out += '\n';
    for (int i = 0; i < level; ++i) out += *style_.indent;
  }

  const JsonStyle& style_;
  std::string item_sep_;
};

}  // namespace

Value parse_json_value(std::string_view text, const std::string& what) {
  Ordered j;
  try {
    j = Ordered::parse(text.begin(), text.end());
  } catch (const Ordered::exception& e) {
    throw Error(Status::Format, what + ": invalid JSON: " + e.what());
  }
  return from_json(j, 0);
}

std::string to_json(const Value& v, const JsonStyle& style) {
  std::string out;
  Writer(style).write(out, v, 0);
  return out;
}

}  // namespace nib::jinja
