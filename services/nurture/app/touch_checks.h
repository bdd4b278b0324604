// What the checks before a touch read (nurture_keys.h), for a whole poll at a
// time: each touch's enrolment, request and sent marker, and each contact's
// unsubscribe, topic suppression and recent sends. Reads only. Thread-safe as
// far as redis::Client is; Redis failures come back as kUnavailable.
#pragma once

#include <string>
#include <vector>

#include "common/redis/client.h"
#include "nurture/app/nurture_records.h"

namespace leadflow::nurture {

class TouchChecks {
 public:
  explicit TouchChecks(redis::Client& redis) : redis_(redis) {}

  // Per touch id, in one pipeline: its enrolment (Enrolments::Get without the
  // sent list), its request and its sent marker. One result per id, in order.
  std::vector<StatusOr<TouchState>> LoadTouchStates(const std::vector<std::string>& touch_ids);
  // Per contact, in one script run: unsubscribed, topic suppressed for any of
  // the accounts, and the recent sends. One result per query, in order.
  std::vector<StatusOr<ContactChecks>> LoadContactChecks(
      const std::vector<ContactCheckQuery>& queries);
  // The contact's send times (ms) in the last 7 days before `now_ms`.
  StatusOr<std::vector<int64_t>> RecentSends(const std::string& contact_id, int64_t now_ms);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::nurture
