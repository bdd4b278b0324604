#include "intake/wire/json_scanner.h"

#include "intake/domain/text.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace leadflow::intake {
namespace {

// Length of the well-formed UTF-8 sequence at p whose first byte is >= 0x80,
// or 0.
size_t Utf8SequenceLength(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = p[0];
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (static_cast<size_t>(end - p) < n) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  }
  return n;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool JsonScanner::ReadString(std::string* out) {
  ++p_;
  if (out != nullptr) out->clear();
  const char* run = p_;
  while (p_ < end_) {
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      if (out != nullptr) out->append(run, p_);
      ++p_;
      return true;
    }
    if (c < 0x20) return false;
    if (c == '\\') {
      if (out != nullptr) out->append(run, p_);
      if (!ReadEscape(out)) return false;
      run = p_;
    } else if (c < 0x80) {
      ++p_;
    } else {
      const size_t n = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(p_),
                                          reinterpret_cast<const unsigned char*>(end_));
      if (n == 0) return false;
      p_ += n;
    }
  }
  return false;
}

bool JsonScanner::ReadHex4(uint32_t* value) {
  if (end_ - p_ < 4) return false;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = *p_++;
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v |= static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v |= static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
  }
  *value = v;
  return true;
}

bool JsonScanner::ReadEscape(std::string* out) {
  ++p_;  // the backslash
  if (p_ == end_) return false;
  const char c = *p_++;
  char plain;
  switch (c) {
    case '"':
      plain = '"';
      break;
    case '\\':
      plain = '\\';
      break;
    case '/':
      plain = '/';
      break;
    case 'b':
      plain = '\b';
      break;
    case 'f':
      plain = '\f';
      break;
    case 'n':
      plain = '\n';
      break;
    case 'r':
      plain = '\r';
      break;
    case 't':
      plain = '\t';
      break;
    case 'u': {
      uint32_t cp;
      if (!ReadHex4(&cp)) return false;
      if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
      if (cp >= 0xD800 && cp <= 0xDBFF) {              // must pair with a low one
        uint32_t low;
        if (!Consume('\\') || !Consume('u') || !ReadHex4(&low)) return false;
        if (low < 0xDC00 || low > 0xDFFF) return false;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
      if (out != nullptr) AppendUtf8(cp, out);
      return true;
    }
    default:
      return false;
  }
  if (out != nullptr) out->push_back(plain);
  return true;
}

bool JsonScanner::ReadNumber(JsonNumber* n) {
  const char* start = p_;
  const bool negative = Consume('-');
  if (At('0')) {
    ++p_;
  } else if (p_ < end_ && IsDigit(*p_)) {
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  } else {
    return false;
  }
  bool integer = true;
  if (Consume('.')) {
    integer = false;
    if (p_ == end_ || !IsDigit(*p_)) return false;
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  if (At('e') || At('E')) {
    integer = false;
    ++p_;
    if (At('+') || At('-')) ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return false;
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  if (integer) {  // integers beyond 64 bits fall through to a double
    if (negative && std::from_chars(start, p_, n->i).ec == std::errc()) {
      n->type = JsonNumber::kSigned;
      return true;
    }
    if (!negative && std::from_chars(start, p_, n->u).ec == std::errc()) {
      n->type = JsonNumber::kUnsigned;
      return true;
    }
  }
  n->type = JsonNumber::kFloat;
  if (std::from_chars(start, p_, n->d).ec != std::errc()) {
    // Out of range: strtod tells an underflow (finite, accepted) from an overflow.
    const std::string text(start, p_);
    n->d = std::strtod(text.c_str(), nullptr);
  }
  return std::isfinite(n->d);
}

bool JsonScanner::SkipScalar() {
  if (At('"')) return ReadString(nullptr);
  if (At('t')) return Literal("true");
  if (At('f')) return Literal("false");
  if (At('n')) return Literal("null");
  JsonNumber n;
  return ReadNumber(&n);
}

}  // namespace leadflow::intake
