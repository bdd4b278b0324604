#include "routing/domain/posix_tz_rule.h"

#include <cctype>
#include <chrono>

namespace leadflow::routing {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  return sys_days(std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d})
      .time_since_epoch()
      .count();
}

bool IsLeap(int y) { return std::chrono::year{y}.is_leap(); }

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Parses [+-]hh[:mm[:ss]] into seconds; hours up to 167 (RFC 8536 extension).
bool ParseHms(std::string_view& s, int32_t* out) {
  int sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    if (s[0] == '-') sign = -1;
    s.remove_prefix(1);
  }
  int32_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    int v = 0, digits = 0;
    while (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0])) && digits < 3) {
      v = v * 10 + (s[0] - '0');
      s.remove_prefix(1);
      ++digits;
    }
    parts[i] = v;
    if (i == 2 || s.empty() || s[0] != ':') break;
    s.remove_prefix(1);
  }
  if (parts[0] > 167 || parts[1] > 59 || parts[2] > 59) return false;
  *out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool ParseAbbrev(std::string_view& s) {
  if (!s.empty() && s[0] == '<') {
    auto end = s.find('>');
    if (end == std::string_view::npos || end < 4) return false;
    s.remove_prefix(end + 1);
    return true;
  }
  size_t n = 0;
  while (n < s.size() && std::isalpha(static_cast<unsigned char>(s[n]))) ++n;
  if (n < 3) return false;
  s.remove_prefix(n);
  return true;
}

bool ParseInt(std::string_view& s, int* out) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  int v = 0;
  while (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) {
    v = v * 10 + (s[0] - '0');
    if (v > 100000) return false;
    s.remove_prefix(1);
  }
  *out = v;
  return true;
}

}  // namespace

bool PosixTzRule::ParseDateRule(std::string_view& s, DateRule* out) {
  if (s.empty()) return false;
  if (s[0] == 'J') {
    s.remove_prefix(1);
    out->kind = DateRule::Kind::kJulianNoLeap;
    if (!ParseInt(s, &out->a) || out->a < 1 || out->a > 365) return false;
  } else if (s[0] == 'M') {
    s.remove_prefix(1);
    out->kind = DateRule::Kind::kMonthWeekDay;
    if (!ParseInt(s, &out->a) || out->a < 1 || out->a > 12) return false;
    if (s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    if (!ParseInt(s, &out->b) || out->b < 1 || out->b > 5) return false;
    if (s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    if (!ParseInt(s, &out->c) || out->c > 6) return false;
  } else {
    out->kind = DateRule::Kind::kZeroBasedDay;
    if (!ParseInt(s, &out->a) || out->a > 365) return false;
  }
  out->time = 7200;
  if (!s.empty() && s[0] == '/') {
    s.remove_prefix(1);
    if (!ParseHms(s, &out->time)) return false;
  }
  return true;
}

StatusOr<PosixTzRule> PosixTzRule::Parse(std::string_view spec) {
  const std::string quoted = "\"" + std::string(spec) + "\"";
  PosixTzRule r;
  std::string_view s = spec;
  int32_t west = 0;
  if (!ParseAbbrev(s) || !ParseHms(s, &west)) {
    return Status::InvalidArgument("bad POSIX TZ rule " + quoted + ": standard offset");
  }
  r.std_offset_ = -west;
  if (s.empty()) return r;
  if (!ParseAbbrev(s)) {
    return Status::InvalidArgument("bad POSIX TZ rule " + quoted + ": DST name");
  }
  r.has_dst_ = true;
  r.dst_offset_ = r.std_offset_ + 3600;
  if (!s.empty() && s[0] != ',') {
    if (!ParseHms(s, &west)) {
      return Status::InvalidArgument("bad POSIX TZ rule " + quoted + ": DST offset");
    }
    r.dst_offset_ = -west;
  }
  if (s.empty()) {
    // No rule given: the POSIX default is the US rule.
    r.start_ = {DateRule::Kind::kMonthWeekDay, 3, 2, 0, 7200};
    r.end_ = {DateRule::Kind::kMonthWeekDay, 11, 1, 0, 7200};
    return r;
  }
  if (s[0] != ',') return Status::InvalidArgument("bad POSIX TZ rule " + quoted + ": rules");
  s.remove_prefix(1);
  if (!ParseDateRule(s, &r.start_) || s.empty() || s[0] != ',') {
    return Status::InvalidArgument("bad POSIX TZ rule " + quoted + ": DST start");
  }
  s.remove_prefix(1);
  if (!ParseDateRule(s, &r.end_) || !s.empty()) {
    return Status::InvalidArgument("bad POSIX TZ rule " + quoted + ": DST end");
  }
  return r;
}

int64_t PosixTzRule::LocalInstant(const DateRule& rule, int year) {
  int64_t day = 0;
  switch (rule.kind) {
    case DateRule::Kind::kJulianNoLeap: {
      day = DaysFromCivil(year, 1, 1) + rule.a - 1;
      if (IsLeap(year) && rule.a >= 60) ++day;  // Jn never counts Feb 29
      break;
    }
    case DateRule::Kind::kZeroBasedDay:
      day = DaysFromCivil(year, 1, 1) + rule.a;
      break;
    case DateRule::Kind::kMonthWeekDay: {
      using namespace std::chrono;
      const auto ym = std::chrono::year{year} / std::chrono::month{static_cast<unsigned>(rule.a)};
      const weekday wd{static_cast<unsigned>(rule.c)};
      sys_days d =
          rule.b == 5 ? sys_days(ym / wd[last]) : sys_days(ym / wd[static_cast<unsigned>(rule.b)]);
      day = d.time_since_epoch().count();
      break;
    }
  }
  return day * 86400 + rule.time;
}

int32_t PosixTzRule::UtcOffsetAt(int64_t t) const {
  if (!has_dst_) return std_offset_;
  const int64_t local_std = t + std_offset_;
  const auto ymd = std::chrono::year_month_day(sys_days(days(FloorDiv(local_std, 86400))));
  const int year = static_cast<int>(ymd.year());
  // The start moment is written in standard time, the end moment in DST.
  const int64_t start = LocalInstant(start_, year) - std_offset_;
  const int64_t end = LocalInstant(end_, year) - dst_offset_;
  bool dst;
  if (start < end) {
    dst = t >= start && t < end;
  } else {  // southern hemisphere: DST spans the new year
    dst = t < end || t >= start;
  }
  return dst ? dst_offset_ : std_offset_;
}

}  // namespace leadflow::routing
