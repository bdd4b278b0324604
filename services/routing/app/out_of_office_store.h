// Routing's view of the reps' out-of-office windows (docs/state.md,
// docs/domain-rules.md "Calendars"), rebuilt from the compacted topic
// reps.out-of-office after a Redis loss:
//
//   lf:{routing}:out-of-office   hash rep -> "<at_ms>|<start>-<end>,..."
//
// One field per rep that ever had windows: at most 20 windows, about 27 bytes
// each, so a field is under 600 bytes and the hash is bounded by the number of
// configured reps. A change replaces the rep's field; windows already over
// are dropped at each change and ignored on read. No personal data.
//
// Decisions read the field together with the rest of a rep's state
// (RoutingSnapshotReader::LoadRepStates). Threading: as thread-safe as redis::Client.
// Set() returns kUnavailable when Redis is unreachable or routing's state is
// being rebuilt.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/redis/client.h"
#include "routing/domain/out_of_office.h"

namespace leadflow::routing {

class OutOfOfficeStore {
 public:
  explicit OutOfOfficeStore(redis::Client& redis) : redis_(redis) {}

  // Replaces `rep_id`'s windows with `windows`, set at `at_ms`, unless a
  // change set later, or this same change, is stored. True when applied.
  StatusOr<bool> Set(const std::string& rep_id, const OutOfOffice& windows, int64_t at_ms);

  static std::string Key();
  // The field's value, and back (a missing or unreadable value: no windows).
  static std::string Value(const OutOfOffice& windows, int64_t at_ms);
  static OutOfOffice Parse(std::string_view value);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::routing
