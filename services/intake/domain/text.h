// UTF-8 text helpers for intake: validity, length in code points, trimming and
// lower-casing (ASCII, Latin-1 and the whole Cyrillic block U+0400..U+052F).
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leadflow::intake {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in valid UTF-8 `s` (bytes for invalid input).
size_t CodePointCount(std::string_view s);

// True when valid UTF-8 `s` contains a control character: C0 (U+0000..U+001F,
// tab and newlines included), DEL (U+007F) or C1 (U+0080..U+009F).
bool HasControlCharacter(std::string_view s);

// Removes leading and trailing ASCII whitespace.
std::string_view TrimAscii(std::string_view s);

// ASCII-only lower-casing (domains, hex, enum-like tokens).
std::string AsciiLower(std::string_view s);

// Lower-cases ASCII, Latin-1 letters and Cyrillic (А-Я, Ѐ-Џ incl. Ё, and the
// paired historic/extended letters U+0460..U+052F, Ӏ -> ӏ). Invalid UTF-8
// sequences are copied unchanged.
std::string Utf8Lower(std::string_view s);

// Lower-cases one code point with the same rules as Utf8Lower.
char32_t LowerCodePoint(char32_t c);

// Appends the UTF-8 encoding of code point `cp` (<= U+10FFFF) to `out`.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace leadflow::intake
