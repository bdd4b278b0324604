// Routing's side of consent and erasure (docs/privacy.md).
//
// Redis (routing_keys.h, {routing} hash tag, TTL 548 days refreshed on write):
//   lf:{routing}:contact:<contact_id>    set of the contact's lead ids
//   lf:{routing}:withdrawn:<contact_id>  unix ms of the contact's consent
//                                        withdrawal or erasure (tombstone)
//
// GateScored (leads.scored, in front of the engine): indexes each lead under
// its contact (one script call per batch) and applies the consent rule
// (domain/consent.h): a prospect lead given before its contact withdrew
// consent reaches the engine marked disqualified (CONSENT_MISSING), so it is
// recorded and published on leads.rejected instead of going to nurture or a
// rep. Undecodable records pass unchanged (the engine dead-letters them).
//
// Handler (group leadflow-routing-privacy, topics engagement.events and
// privacy.erasure):
//  - CONSENT_WITHDRAWN records the withdrawal; every other engagement event,
//    and an undecodable one, is acknowledged (scoring and nurture own that
//    topic's dead letters; routing does not duplicate them);
//  - privacy.erasure (malformed: dead-lettered): for every lead of the contact
//    (its index and the erasure's lead_ids) the recorded decision is replaced,
//    compare-and-swap, by its scrubbed copy (privacy::ScrubLead: no contact,
//    no answers) with the same TTL; a slim record (no personal data) is marked
//    erased instead (decision_record.h). Capacity keys (open counts, open sets,
//    daily counts, queues, SLA timers, outbox, feedback) hold no personal
//    data and are left as they are, so a rep's slot accounting stays exact;
//    the lead stays open with its rep until sales feedback closes it. Then
//    the index is dropped and the tombstone set, so a lead still in flight is
//    disqualified. Idempotent.
//
// Failures: Redis errors are kUnavailable (the loop retries). Thread-safe as
// far as redis::Client is.
#pragma once

#include "common/kafka/consumer_loop.h"
#include "common/privacy/batch_gate.h"
#include "common/privacy/contact_state.h"
#include "common/privacy/erasure_handler.h"
#include "common/redis/client.h"
#include "common/util/clock.h"

namespace leadflow::routing {

class RoutingPrivacy final : public privacy::ContactEraser {
 public:
  RoutingPrivacy(redis::Client& redis, const Clock& clock);

  // A per-message handler goes in wrapped: GateScored(privacy::PerMessage(h)).
  kafka::BatchHandler GateScored(kafka::BatchHandler inner);
  // engagement.events and privacy.erasure.
  kafka::MessageHandler Handler();

  Status Erase(const leadflow::privacy::v1::ContactErasure& erasure) override;

  // The gate's verdicts (public for tests).
  std::vector<privacy::GateVerdict> SeeScored(const std::vector<kafka::ConsumedMessage>& batch);

 private:
  Status ScrubDecision(const std::string& lead_id);

  redis::Client& redis_;
  const Clock& clock_;
  privacy::ContactStateStore state_;
  kafka::MessageHandler erasure_handler_;
};

}  // namespace leadflow::routing
