// Email syntax and normalisation.
#pragma once

#include <string>
#include <string_view>

namespace leadflow::intake {

// Trimmed and lower-cased (UTF-8 aware). Does not validate.
std::string NormalizeEmail(std::string_view email);

// Syntax check of a normalised address: local@domain, local part 1..64 bytes of
// atext and non-adjacent dots, domain of >= 2 labels (letters, digits, hyphen
// not at a label's edge, or non-ASCII for IDN), top-level label >= 2 chars and
// not numeric, whole address <= 254 bytes.
bool IsValidEmail(std::string_view normalized_email);

// The part after the last '@' (empty when there is none).
std::string EmailDomain(std::string_view normalized_email);

}  // namespace leadflow::intake
