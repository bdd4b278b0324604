// Routing's Redis state. Keys share the {routing} hash tag (one cluster slot),
// so the Lua scripts below may touch several of them atomically.
//
//   lf:{routing}:decision:<lead_id>      serialized LeadAssigned: the recorded
//                                        decision (scored lead + Decision)
//   lf:{routing}:open:<rep>              open leads of a rep
//   lf:{routing}:open-set:<rep>          lead ids open with a rep
//   lf:{routing}:daily:<yyyy-mm-dd>:<rep>  leads given today (UTC day; 3-day TTL)
//   lf:{routing}:availability            hash rep -> RepAvailability number
//   lf:{routing}:queue:<team>            list of queued lead ids (drained by a
//                                        later issue's queue worker)
//
// Threading: as thread-safe as redis::Client (calls are serialised). Every
// method returns kUnavailable when Redis is unreachable, so the consumer loop
// retries the message.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/domain/rep_state.h"

namespace leadflow::routing {

struct StoredDecision {
  leadflow::routing::v1::LeadAssigned record;
  std::string raw;  // exact stored bytes, for compare-and-swap
};

// What a recorded decision claims besides the record itself.
enum class ClaimEffect {
  kNone,   // nurture, customer inbound, disqualified
  kRep,    // +1 open lead and +1 today for decision.rep_id
  kQueue,  // appended to the team queue
};

struct ClaimResult {
  bool claimed = false;        // false: another decision was already recorded
  StoredDecision existing;     // set when !claimed
  int64_t rep_open_leads = 0;  // kRep: the rep's open leads after the claim
  int64_t queue_depth = 0;     // kQueue: the team queue length after the claim
};

class RoutingStore {
 public:
  explicit RoutingStore(redis::Client& redis) : redis_(redis) {}

  StatusOr<std::optional<StoredDecision>> GetDecision(const std::string& lead_id);

  // Records `record` for its lead and applies `effect`, atomically (one Lua
  // script). With `replace_raw` set, only replaces a record whose stored bytes
  // equal it (a re-route after a rescore); otherwise only if none exists
  // (SET NX). A redelivered message therefore never claims twice.
  StatusOr<ClaimResult> Claim(const leadflow::routing::v1::LeadAssigned& record, ClaimEffect effect,
                              std::chrono::system_clock::time_point now,
                              const std::optional<std::string>& replace_raw = std::nullopt);

  // Releases a lead's open-lead slot with its rep. Idempotent: returns false
  // when the lead was not open with that rep.
  StatusOr<bool> Release(const std::string& lead_id, const std::string& rep_id,
                         int64_t* open_after = nullptr);

  StatusOr<RepStateView> LoadRepStates(const std::vector<std::string>& rep_ids,
                                       std::chrono::system_clock::time_point now);
  Status SetAvailability(const std::string& rep_id, leadflow::routing::v1::RepAvailability a);
  // Lead ids currently open with a rep.
  StatusOr<std::vector<std::string>> OpenLeads(const std::string& rep_id);

  static std::string DayKey(std::chrono::system_clock::time_point now);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::routing
