// Routing's Redis key names that more than one component spells (the store
// and the privacy consumer). Every key shares the {routing} hash tag; see
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
