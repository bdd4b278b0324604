// Routing's Redis key names, spelled once for the stores, the rebuild and the
// privacy consumer. Every key shares the {routing} hash tag; see
// routing_store.h for the whole layout.
#pragma once

#include <string>

namespace leadflow::routing {

inline constexpr char kRoutingKeyPrefix[] = "lf:{routing}:";

// Present only while routing's state in Redis is complete: set by the
// rebuild (routing_state_rebuild.h) once it has restored the state from the
// topics, and lost with everything else when Redis loses its data. Every
// script that changes routing's state refuses without it.
inline std::string RoutingStateKey() { return std::string(kRoutingKeyPrefix) + "state"; }

// The recorded decision of a lead: a serialized LeadAssigned.
inline std::string DecisionKey(const std::string& lead_id) {
  return std::string(kRoutingKeyPrefix) + "decision:" + lead_id;
}

// The state marker's absence, as reads report it (Unavailable: retry later).
inline constexpr char kRoutingStateRebuilding[] =
    "routing state is being rebuilt from the topics; retry later";

// Rep load (rep_load_store.h, lead_claims.h): a rep's open leads (a counter
// and the set of their ids), the leads given on the rep's local day
// ("yyyy-mm-dd"), and every rep's RepAvailability.
inline std::string OpenLeadsKey(const std::string& rep_id) {
  return std::string(kRoutingKeyPrefix) + "open:" + rep_id;
}
inline std::string OpenSetKey(const std::string& rep_id) {
  return std::string(kRoutingKeyPrefix) + "open-set:" + rep_id;
}
inline std::string DailyCountKey(const std::string& day, const std::string& rep_id) {
  return std::string(kRoutingKeyPrefix) + "daily:" + day + ":" + rep_id;
}
inline std::string AvailabilityKey() { return std::string(kRoutingKeyPrefix) + "availability"; }

// A team's queue (team_queue.h), the running SLA and stall timers
// (lead_timers.h), the scheduler's outbox (outbox.h), and a lead's sales
// feedback hash.
inline std::string TeamQueueKey(const std::string& team) {
  return std::string(kRoutingKeyPrefix) + "queue:" + team;
}
inline std::string SlaTimersKey() { return std::string(kRoutingKeyPrefix) + "sla"; }
inline std::string StallTimersKey() { return std::string(kRoutingKeyPrefix) + "stalls"; }
inline std::string OutboxKey() { return std::string(kRoutingKeyPrefix) + "outbox"; }
inline std::string FeedbackKey(const std::string& lead_id) {
  return std::string(kRoutingKeyPrefix) + "fb:" + lead_id;
}

// Funnel analytics (cohort_store.h): a submission cohort's leads (a
// HyperLogLog) and won deals (a zset), by Cohort::Name() ("2026-12:SMB"); the
// ledger of the deals won in a month ("2026-12").
inline std::string CohortLeadsKey(const std::string& cohort) {
  return std::string(kRoutingKeyPrefix) + "cohort:" + cohort + ":leads";
}
inline std::string CohortWonKey(const std::string& cohort) {
  return std::string(kRoutingKeyPrefix) + "cohort:" + cohort + ":won";
}
inline std::string WonLedgerKey(const std::string& month) {
  return std::string(kRoutingKeyPrefix) + "won:" + month;
}

// Privacy (routing_privacy.h): a contact's lead ids, and its consent
// withdrawal / erasure tombstone.
inline std::string ContactLeadsKey(const std::string& contact_id) {
  return std::string(kRoutingKeyPrefix) + "contact:" + contact_id;
}
inline std::string ContactWithdrawnKey(const std::string& contact_id) {
  return std::string(kRoutingKeyPrefix) + "withdrawn:" + contact_id;
}

}  // namespace leadflow::routing
