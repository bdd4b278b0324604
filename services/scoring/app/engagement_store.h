// Engagement state of contacts for scoring: the raw (event type, occurred_at)
// pairs of each contact, and which lead a contact's engagement rescores.
//
// Redis layout (Redis Cluster safe: every key of one contact shares the hash
// tag {c:<contact_id>}, so the Lua script touches a single slot; different
// contacts spread over the cluster):
//   lf:scoring:{c:<contact_id>}:events  ZSET  member "<event_id>|<type>", score occurred_at ms
//   lf:scoring:{c:<contact_id>}:lead    STRING "<lead id>|<linked at ms>", the
//                                       contact's last accepted lead
// Both keys carry a TTL refreshed on every write (default kScoringStateTtl,
// the same as the scores, so a linked lead's score outlives its link).
// A contact keeps at most max_events events (the newest by occurred_at).
// Recording is idempotent by event id (ZADD NX), so a redelivered event is
// never counted twice.
//
// Retries: none here; a connection failure is kUnavailable and the consumer
// loop retries the message. Implementations are thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/util/status.h"
#include "scoring/app/score_store.h"
#include "scoring/domain/engagement.h"

namespace leadflow::scoring {

class EngagementStore {
 public:
  struct Recorded {
    bool added = false;                    // false: this event id was already stored
    std::string lead_id;                   // the contact's linked lead, "" when none
    int64_t linked_at_ms = 0;              // when that link was made
    std::vector<EngagementRecord> events;  // all stored events, this one included
  };
  virtual ~EngagementStore() = default;
  // Stores one event of `contact_id` and returns the contact's state.
  virtual StatusOr<Recorded> Record(const std::string& contact_id,
                                    const EngagementRecord& event) = 0;
  // Links `contact_id` to `lead_id` at `now_ms` (the lead later engagement
  // rescores) and returns the contact's stored events (engagement may precede
  // the lead).
  virtual StatusOr<std::vector<EngagementRecord>> LinkLead(const std::string& contact_id,
                                                           const std::string& lead_id,
                                                           int64_t now_ms) = 0;
  // The stored events of a contact (empty when none).
  virtual StatusOr<std::vector<EngagementRecord>> Events(const std::string& contact_id) = 0;

  // Record() of each event in order, one result each (a consumer batch); the
  // Redis store sends them in one round trip.
  struct ContactEvent {
    std::string contact_id;
    EngagementRecord event;
  };
  virtual std::vector<StatusOr<Recorded>> RecordMany(const std::vector<ContactEvent>& events);
  // LinkLead() of each link in order, one result each; one round trip in Redis.
  struct Link {
    std::string contact_id;
    std::string lead_id;
    int64_t now_ms = 0;
  };
  virtual std::vector<StatusOr<std::vector<EngagementRecord>>> LinkMany(
      const std::vector<Link>& links);
};

}  // namespace leadflow::scoring
