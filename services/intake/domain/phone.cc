#include "intake/domain/phone.h"

#include "intake/domain/text.h"

namespace leadflow::intake {

std::optional<std::string> NormalizePhone(std::string_view phone) {
  phone = TrimAscii(phone);
  bool plus = false;
  std::string digits;
  for (size_t i = 0; i < phone.size(); ++i) {
    const char c = phone[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+' && i == 0) {
      plus = true;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
      return std::nullopt;
    }
  }
  if (plus) {
    if (digits.empty() || digits[0] == '0') return std::nullopt;
    if (digits[0] == '7') {
      if (digits.size() != 11) return std::nullopt;
    } else if (digits.size() < 8 || digits.size() > 15) {
      return std::nullopt;
    }
    return "+" + digits;
  }
  if (digits.size() == 11 && (digits[0] == '8' || digits[0] == '7')) {
    return "+7" + digits.substr(1);
  }
  return std::nullopt;
}

}  // namespace leadflow::intake
