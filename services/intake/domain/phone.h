// Phone numbers to E.164.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace leadflow::intake {

// Normalises a phone number to E.164 ("+<digits>"). Spaces, dashes, dots and
// parentheses are ignored. Accepted forms:
//   +7 XXX XXX-XX-XX and the Russian domestic 8 XXX XXX-XX-XX / 7XXXXXXXXXX
//   (11 digits) -> +7XXXXXXXXXX;
//   any other international "+<country><number>": 8..15 digits, not starting 0.
// Anything else (letters, bare local numbers, wrong lengths) gives nullopt.
std::optional<std::string> NormalizePhone(std::string_view phone);

}  // namespace leadflow::intake
