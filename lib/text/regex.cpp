#include "text/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <nib/error.hpp>

namespace nib::text {

namespace {
pcre2_code* code(void* p) {
  return static_cast<pcre2_code*>(p);
}

struct MatchData {
  pcre2_match_data* md;
  explicit MatchData(pcre2_code* c) : md(pcre2_match_data_create_from_pattern(c, nullptr)) {}
  ~MatchData() { pcre2_match_data_free(md); }
};
}  // namespace

Regex::Regex(const std::string& pattern, const std::string& where) {
  int err = 0;
  PCRE2_SIZE off = 0;
  pcre2_code* c = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &err, &off, nullptr);
  if (!c) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw Error(Status::Format, where + ": cannot compile regex \"" + pattern + "\" at offset " +
                                    std::to_string(off) + ": " + reinterpret_cast<const char*>(msg));
  }
  pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);  // falls back to the interpreter when JIT is unavailable
  code_ = c;
}

Regex::~Regex() {
  pcre2_code_free(code(code_));
}

void Regex::find_all(std::string_view text, std::vector<Span>& out) const {
  MatchData m(code(code_));
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::size_t pos = 0;
  std::uint32_t options = PCRE2_NO_UTF_CHECK;  // callers validate UTF-8 up front
  while (pos <= text.size()) {
    int rc = pcre2_match(code(code_), subject, text.size(), pos, options, m.md, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) {
      if (options & PCRE2_NOTEMPTY_ATSTART) {  // retry one character later after an empty match
        options &= ~(PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED);
        if (pos >= text.size()) break;
        pos += 1;
        while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
        continue;
      }
      break;
    }
    if (rc < 0) throw Error(Status::Internal, "regex match failed with code " + std::to_string(rc));
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m.md);
    out.emplace_back(ov[0], ov[1]);
    pos = ov[1];
    options = PCRE2_NO_UTF_CHECK;
    if (ov[0] == ov[1]) options |= PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED;
  }
}

std::string Regex::escape(std::string_view literal) {
  std::string out;
  for (char ch : literal) {
    if (std::string_view("\\^$.|?*+()[]{}-/#&~ ").find(ch) != std::string_view::npos) out += '\\';
    out += ch;
  }
  return out;
}

}  // namespace nib::text
