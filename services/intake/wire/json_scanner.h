// A strict JSON token scanner over a byte range, with the rules of
// nlohmann::json (which intake's former checking pass used): RFC 8259, UTF-8
// without overlongs, surrogates or code points above U+10FFFF, \u escapes
// with paired surrogates, and a number that overflows a double is a syntax
// error. Every Read/Consume returns false on a syntax error (the position is
// then unspecified). No allocation except into the caller's strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leadflow::intake {

struct JsonNumber {
  enum Type { kSigned, kUnsigned, kFloat } type = kSigned;
  int64_t i = 0;   // kSigned: a negative integer literal
  uint64_t u = 0;  // kUnsigned: a non-negative integer literal
  double d = 0;    // kFloat: a fraction, an exponent, or an integer beyond 64 bits
};

class JsonScanner {
 public:
  JsonScanner(const char* begin, const char* end) : p_(begin), end_(end) {}

  bool AtEnd() const { return p_ == end_; }
  // The next byte; only when !AtEnd().
  char Peek() const { return *p_; }
  bool At(char c) const { return p_ < end_ && *p_ == c; }
  void SkipWs() {  // space, tab, CR, LF
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool Consume(char c) {
    if (!At(c)) return false;
    ++p_;
    return true;
  }
  bool Literal(std::string_view word) {  // also the byte order mark
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }
  // A string at the opening quote; its decoded text replaces *out unless out
  // is null.
  bool ReadString(std::string* out);
  bool ReadNumber(JsonNumber* n);
  // A string, number, true, false or null, not kept.
  bool SkipScalar();

 private:
  bool ReadHex4(uint32_t* value);
  bool ReadEscape(std::string* out);

  const char* p_;
  const char* end_;
};

}  // namespace leadflow::intake
