#pragma once
// What /proc/self/smaps says about the mapping that holds an address.
#include <string>
#include <string_view>

namespace nib::test {
// The text after `field` (e.g. "Rss:", "VmFlags:") in the entry of the mapping that contains p, or
// "" when no mapping does.
std::string smaps_field(const void* p, std::string_view field);
}  // namespace nib::test
