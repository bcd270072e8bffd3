#include "text/jinja/pystr.hpp"

#include <utf8proc.h>

#include "text/jinja/errors.hpp"
#include "text/jinja/utf8.hpp"

namespace nib::jinja::pystr {

bool is_space(std::uint32_t cp) {
  switch (cp) {
    case ' ':
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case 0x1c:
    case 0x1d:
    case 0x1e:
    case 0x1f:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000: return true;
    default: return cp >= 0x2000 && cp <= 0x200a;
  }
}

std::string strip(std::string_view s, Side side, const std::optional<std::string>& chars) {
  auto cps = decode_utf8(s);
  std::vector<std::uint32_t> set;
  if (chars) set = decode_utf8(*chars);
  auto strippable = [&](std::uint32_t cp) {
    if (!chars) return is_space(cp);
    for (auto c : set) {
      if (c == cp) return true;
    }
    return false;
  };
  std::size_t b = 0, e = cps.size();
  if (side != Side::Right) {
    while (b < e && strippable(cps[b])) ++b;
  }
  if (side != Side::Left) {
    while (e > b && strippable(cps[e - 1])) --e;
  }
  std::string out;
  for (std::size_t i = b; i < e; ++i) append_utf8(out, cps[i]);
  return out;
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep,
                               std::int64_t maxsplit) {
  std::vector<std::string> out;
  if (sep) {
    if (sep->empty()) fail("empty separator");
    std::size_t pos = 0;
    while (maxsplit < 0 || static_cast<std::int64_t>(out.size()) < maxsplit) {
      auto at = s.find(*sep, pos);
      if (at == std::string_view::npos) break;
      out.emplace_back(s.substr(pos, at - pos));
      pos = at + sep->size();
    }
    out.emplace_back(s.substr(pos));
    return out;
  }
  auto cps = decode_utf8(s);
  std::size_t i = 0;
  while (true) {
    while (i < cps.size() && is_space(cps[i])) ++i;
    if (i == cps.size()) break;
    std::string word;
    if (maxsplit >= 0 && static_cast<std::int64_t>(out.size()) == maxsplit) {
      std::size_t e = cps.size();
      while (e > i && is_space(cps[e - 1])) --e;
      for (; i < e; ++i) append_utf8(word, cps[i]);
      out.push_back(std::move(word));
      break;
    }
    while (i < cps.size() && !is_space(cps[i])) append_utf8(word, cps[i++]);
    out.push_back(std::move(word));
  }
  return out;
}

std::string replace(std::string_view s, std::string_view old, std::string_view with, std::int64_t count) {
  std::string out;
  if (old.empty()) {
    // Python inserts `with` before every code point and at the end.
    auto offsets = codepoint_offsets(s);
    std::size_t n = offsets.size() - 1;
    for (std::size_t i = 0; i <= n; ++i) {
      if (count < 0 || static_cast<std::int64_t>(i) < count) out += with;
      if (i < n) out += s.substr(offsets[i], offsets[i + 1] - offsets[i]);
    }
    return out;
  }
  std::size_t pos = 0;
  std::int64_t done = 0;
  while (count < 0 || done < count) {
    auto at = s.find(old, pos);
    if (at == std::string_view::npos) break;
    out += s.substr(pos, at - pos);
    out += with;
    pos = at + old.size();
    ++done;
  }
  out += s.substr(pos);
  return out;
}

namespace {
template <class F>
std::string map_codepoints(std::string_view s, F f) {
  std::string out;
  for (auto cp : decode_utf8(s))
    append_utf8(out, static_cast<std::uint32_t>(f(static_cast<utf8proc_int32_t>(cp))));
  return out;
}
bool is_cased(std::uint32_t cp) {
  auto c = static_cast<utf8proc_int32_t>(cp);
  return utf8proc_toupper(c) != c || utf8proc_tolower(c) != c || utf8proc_totitle(c) != c;
}
}  // namespace

std::string upper(std::string_view s) {
  return map_codepoints(s, utf8proc_toupper);
}
std::string lower(std::string_view s) {
  return map_codepoints(s, utf8proc_tolower);
}

std::string capitalize(std::string_view s) {
  std::string out;
  bool first = true;
  for (auto cp : decode_utf8(s)) {
    auto c = static_cast<utf8proc_int32_t>(cp);
    append_utf8(out, static_cast<std::uint32_t>(first ? utf8proc_totitle(c) : utf8proc_tolower(c)));
    first = false;
  }
  return out;
}

std::string title(std::string_view s) {
  std::string out;
  bool previous_cased = false;
  for (auto cp : decode_utf8(s)) {
    auto c = static_cast<utf8proc_int32_t>(cp);
    append_utf8(out, static_cast<std::uint32_t>(previous_cased ? utf8proc_tolower(c) : utf8proc_totitle(c)));
    previous_cased = is_cased(cp);
  }
  return out;
}

}  // namespace nib::jinja::pystr
