#pragma once
// Python str methods on UTF-8 text, shared by the `.strip()`-style methods and the filters.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nib::jinja::pystr {

bool is_space(std::uint32_t cp);  // str.isspace()

enum class Side { Both, Left, Right };
// str.strip/lstrip/rstrip: whitespace, or any code point of `chars` when given.
std::string strip(std::string_view s, Side side, const std::optional<std::string>& chars = std::nullopt);
// str.split(sep=None, maxsplit=-1).
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep,
                               std::int64_t maxsplit = -1);
// str.replace(old, new, count=-1).
std::string replace(std::string_view s, std::string_view old, std::string_view with, std::int64_t count = -1);

std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string capitalize(std::string_view s);  // first code point upper, the rest lower
std::string title(std::string_view s);       // str.title(): cased runs start upper-case

}  // namespace nib::jinja::pystr
