// Out-of-office windows (docs/domain-rules.md, "Calendars"): stretches of time
// a rep is away, set per rep over gRPC (SetRepOutOfOffice) or on the topic
// reps.out-of-office. Round robin skips a rep inside one, and the SLA business
// minutes of the rep's leads pause during them. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/status.h"
#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::routing {

// [start_ms, end_ms), unix milliseconds.
struct OutOfOfficeWindow {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  bool operator==(const OutOfOfficeWindow&) const = default;
};

// A rep's windows, sorted by start, none overlapping another (overlaps merge).
using OutOfOffice = std::vector<OutOfOfficeWindow>;

// Bounds on what a rep may hold (the Redis view's bytes per rep).
inline constexpr size_t kMaxOutOfOfficeWindows = 20;
inline constexpr int64_t kMaxOutOfOfficeWindowMs = int64_t{366} * 24 * 3600 * 1000;

// The windows of a request or a reps.out-of-office record, validated and
// normalised: sorted, overlaps merged, those ended by `now_ms` dropped.
// kInvalidArgument naming the field ("windows[2].end: must be after start"):
// a missing start or end, an end not after its start, a window longer than
// 366 days, more than 20 windows.
StatusOr<OutOfOffice> OutOfOfficeFromProto(
    const google::protobuf::RepeatedPtrField<leadflow::routing::v1::OutOfOfficeWindow>& windows,
    int64_t now_ms);
void ToProto(const OutOfOffice& windows,
             google::protobuf::RepeatedPtrField<leadflow::routing::v1::OutOfOfficeWindow>* out);

// The window holding `at_ms`, else nullptr.
const OutOfOfficeWindow* WindowAt(const OutOfOffice& windows, int64_t at_ms);

// The Redis view's encoding: "<start>-<end>,<start>-<end>" in unix ms (about
// 27 bytes a window). Decode skips what it cannot read (never a crash on a
// hand-edited value) and keeps the rest.
std::string EncodeOutOfOffice(const OutOfOffice& windows);
OutOfOffice DecodeOutOfOffice(std::string_view text);

// "2026-12-31T09:00Z" for the decision path.
std::string UtcMinute(int64_t unix_ms);

}  // namespace leadflow::routing
