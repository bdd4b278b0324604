// Comparing configuration keys with submitted values.
#pragma once

#include <string>
#include <string_view>

namespace leadflow::scoring {

// Trimmed (ASCII whitespace) and ASCII-lower-cased: how industries, regions,
// answers and account keys are compared with the model's tables.
inline std::string NormalizeKey(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace leadflow::scoring
