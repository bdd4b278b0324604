#include "intake/domain/email.h"

#include <cstring>

#include "intake/domain/text.h"

namespace leadflow::intake {
namespace {

bool IsAtext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+/=?^_`{|}~-", c) != nullptr && c != '\0';
}

bool ValidLocal(std::string_view local) {
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  char prev = 0;
  for (char c : local) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!IsAtext(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

bool ValidLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || u >= 0x80;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string NormalizeEmail(std::string_view email) { return Utf8Lower(TrimAscii(email)); }

bool IsValidEmail(std::string_view e) {
  if (e.size() > 254 || !IsValidUtf8(e)) return false;
  const size_t at = e.find('@');
  if (at == std::string_view::npos || e.find('@', at + 1) != std::string_view::npos) return false;
  if (!ValidLocal(e.substr(0, at))) return false;
  std::string_view domain = e.substr(at + 1);
  int labels = 0;
  std::string_view last;
  while (true) {
    const size_t dot = domain.find('.');
    std::string_view label = domain.substr(0, dot);
    if (!ValidLabel(label)) return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  if (labels < 2 || last.size() < 2) return false;
  bool numeric = true;
  for (char c : last) numeric = numeric && c >= '0' && c <= '9';
  return !numeric;
}

std::string EmailDomain(std::string_view e) {
  const size_t at = e.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(e.substr(at + 1));
}

}  // namespace leadflow::intake
