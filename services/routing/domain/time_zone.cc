#include "routing/domain/time_zone.h"

#include <algorithm>
#include <chrono>

namespace leadflow::routing {
namespace {

uint32_t Be32(std::string_view b, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

int64_t Be64(std::string_view b, size_t at) {
  return static_cast<int64_t>((static_cast<uint64_t>(Be32(b, at)) << 32) | Be32(b, at + 4));
}

constexpr size_t kTzifHeader = 44;

// The counts of a TZif header (RFC 8536 §3.1).
struct TzifCounts {
  uint32_t isut, isstd, leap, time, type, chars;
};

TzifCounts ReadTzifCounts(std::string_view bytes, size_t at) {
  return TzifCounts{Be32(bytes, at + 20), Be32(bytes, at + 24), Be32(bytes, at + 28),
                    Be32(bytes, at + 32), Be32(bytes, at + 36), Be32(bytes, at + 40)};
}

// The size of the data block after a header.
size_t TzifBlockSize(const TzifCounts& c, size_t time_size) {
  return c.time * time_size + c.time + c.type * 6 + c.chars + c.leap * (time_size + 4) + c.isstd +
         c.isut;
}

bool PlausibleTzifCounts(const TzifCounts& c) {
  return c.type != 0 && c.type <= 256 && c.time <= 100000 && c.leap <= 10000 && c.chars <= 10000;
}

Status BadTzif(const std::string& name, const std::string& why) {
  return Status::InvalidArgument("time zone \"" + name + "\": bad TZif data: " + why);
}

// The data block read: version 1's (32-bit times), or from version 2 on the
// one after the second header (64-bit times).
struct TzifBlock {
  TzifCounts counts;
  size_t at = 0;         // where its data starts
  size_t time_size = 4;  // bytes per transition time
};

StatusOr<TzifBlock> LocateTzifBlock(const std::string& name, std::string_view bytes) {
  if (bytes.size() < kTzifHeader || bytes.substr(0, 4) != "TZif") {
    return BadTzif(name, "no TZif header");
  }
  TzifBlock b{ReadTzifCounts(bytes, 0), kTzifHeader, 4};
  if (!PlausibleTzifCounts(b.counts)) return BadTzif(name, "implausible counts");
  if (bytes[4] >= '2') {
    b.at += TzifBlockSize(b.counts, 4);
    if (bytes.size() < b.at + kTzifHeader || bytes.substr(b.at, 4) != "TZif") {
      return BadTzif(name, "no v2 header");
    }
    b.counts = ReadTzifCounts(bytes, b.at);
    if (!PlausibleTzifCounts(b.counts)) return BadTzif(name, "implausible v2 counts");
    b.at += kTzifHeader;
    b.time_size = 8;
  }
  if (bytes.size() < b.at + TzifBlockSize(b.counts, b.time_size)) return BadTzif(name, "truncated");
  return b;
}

struct TzifTransitions {
  int32_t initial_offset = 0;
  std::vector<int64_t> at;  // ascending unix seconds
  std::vector<int32_t> offsets;
};

StatusOr<TzifTransitions> ReadTzifTransitions(const std::string& name, std::string_view bytes,
                                              const TzifBlock& b) {
  const TzifCounts& c = b.counts;
  const size_t idx_at = b.at + c.time * b.time_size;
  const size_t types_at = idx_at + c.time;
  std::vector<int32_t> type_offsets(c.type);
  for (uint32_t i = 0; i < c.type; ++i) {
    type_offsets[i] = static_cast<int32_t>(Be32(bytes, types_at + i * 6));
    if (type_offsets[i] < -89999 || type_offsets[i] > 93599) {
      return BadTzif(name, "offset out of range");
    }
  }
  TzifTransitions out;
  out.initial_offset = type_offsets[0];
  for (uint32_t i = 0; i < c.time; ++i) {
    const int64_t t = b.time_size == 8 ? Be64(bytes, b.at + i * 8)
                                       : static_cast<int32_t>(Be32(bytes, b.at + i * 4));
    const auto idx = static_cast<unsigned char>(bytes[idx_at + i]);
    if (idx >= c.type) return BadTzif(name, "transition type index out of range");
    if (!out.at.empty() && t <= out.at.back()) return BadTzif(name, "transitions not ascending");
    out.at.push_back(t);
    out.offsets.push_back(type_offsets[idx]);
  }
  return out;
}

// The POSIX TZ rule of a version 2+ footer ("\n<rule>\n" after the 64-bit
// block) for the instants after the last transition; none when absent or empty.
StatusOr<std::optional<PosixTzRule>> ReadTzifFooter(const std::string& name, std::string_view bytes,
                                                    const TzifBlock& b) {
  if (b.time_size != 8) return std::optional<PosixTzRule>();
  const size_t footer_at = b.at + TzifBlockSize(b.counts, b.time_size);
  if (footer_at >= bytes.size() || bytes[footer_at] != '\n') return std::optional<PosixTzRule>();
  const auto end = bytes.find('\n', footer_at + 1);
  if (end == std::string_view::npos) return BadTzif(name, "unterminated footer");
  const std::string_view spec = bytes.substr(footer_at + 1, end - footer_at - 1);
  if (spec.empty()) return std::optional<PosixTzRule>();
  auto rule = PosixTzRule::Parse(spec);
  if (!rule.ok()) return BadTzif(name, rule.status().message());
  return std::optional<PosixTzRule>(*rule);
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::Fixed(std::string name, int32_t utc_offset_seconds) {
  auto tz = std::shared_ptr<TimeZone>(new TimeZone());
  tz->name_ = std::move(name);
  tz->initial_offset_ = utc_offset_seconds;
  return tz;
}

StatusOr<std::shared_ptr<const TimeZone>> TimeZone::FromPosix(std::string name,
                                                              std::string_view spec) {
  auto rule = PosixTzRule::Parse(spec);
  if (!rule.ok()) return rule.status();
  auto tz = std::shared_ptr<TimeZone>(new TimeZone());
  tz->name_ = std::move(name);
  tz->footer_ = *rule;
  tz->initial_offset_ = rule->UtcOffsetAt(0);
  return std::shared_ptr<const TimeZone>(tz);
}

StatusOr<std::shared_ptr<const TimeZone>> TimeZone::FromTzif(std::string name,
                                                             std::string_view bytes) {
  auto block = LocateTzifBlock(name, bytes);
  if (!block.ok()) return block.status();
  auto transitions = ReadTzifTransitions(name, bytes, *block);
  if (!transitions.ok()) return transitions.status();
  auto footer = ReadTzifFooter(name, bytes, *block);
  if (!footer.ok()) return footer.status();
  auto tz = std::shared_ptr<TimeZone>(new TimeZone());
  tz->name_ = std::move(name);
  tz->initial_offset_ = transitions->initial_offset;
  tz->transitions_ = std::move(transitions->at);
  tz->transition_offsets_ = std::move(transitions->offsets);
  tz->footer_ = std::move(*footer);
  return std::shared_ptr<const TimeZone>(tz);
}

int32_t TimeZone::UtcOffsetAt(std::chrono::system_clock::time_point tp) const {
  const int64_t t = std::chrono::floor<std::chrono::seconds>(tp.time_since_epoch()).count();
  if (transitions_.empty()) return footer_ ? footer_->UtcOffsetAt(t) : initial_offset_;
  if (t < transitions_.front()) return initial_offset_;
  if (t >= transitions_.back() && footer_) return footer_->UtcOffsetAt(t);
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  return transition_offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

LocalTime TimeZone::ToLocal(std::chrono::system_clock::time_point tp) const {
  const int64_t t =
      std::chrono::floor<std::chrono::seconds>(tp.time_since_epoch()).count() + UtcOffsetAt(tp);
  const std::chrono::sys_days d =
      std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(t)));
  const int64_t secs = t - int64_t{d.time_since_epoch().count()} * 86400;
  const std::chrono::year_month_day ymd(d);
  LocalTime out;
  out.year = static_cast<int>(ymd.year());
  out.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  out.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  out.weekday = static_cast<int>(std::chrono::weekday(d).iso_encoding());
  out.hour = static_cast<int>(secs / 3600);
  out.minute = static_cast<int>((secs % 3600) / 60);
  out.second = static_cast<int>(secs % 60);
  return out;
}

}  // namespace leadflow::routing
