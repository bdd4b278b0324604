// Scoring's side of consent and erasure (docs/privacy.md).
//
// Redis (hash tag {c:<contact_id>}, beside the engagement keys of
// engagement_store.h):
//   lf:scoring:{c:<contact_id>}:leads      set of the contact's lead ids (to
//                                          find their scores, keyed by lead)
//   lf:scoring:{c:<contact_id>}:withdrawn  unix ms of the contact's consent
//                                          withdrawal or erasure (tombstone)
// both with the scoring state TTL (kScoringStateTtl).
//
// GateAccepted (leads.accepted): indexes each lead under its contact, in one
// round trip per batch, then scores it as before. A lead submitted after a
// withdrawal carries new consent and clears the marker. A lead submitted
// before it (in flight) is still scored, so that routing can conclude it
// (routing disqualifies it; see routing's consent gate).
//
// GateEngagement (engagement.events): CONSENT_WITHDRAWN records the marker
// and publishes nothing (no rescore; nurture exits the contact). Any other
// event of a withdrawn contact is acknowledged without being recorded or
// rescored: scoring stops profiling the contact and stops publishing its
// rescores. Undecodable records pass to the inner handler, which
// dead-letters them as before.
//
// Erase (privacy.erasure): deletes the score of every lead of the contact
// (its index, the erasure's lead_ids, and the contact's linked lead), its
// engagement events and link, and the index; leaves only the tombstone
// marker, so engagement still in flight is not recorded again. Idempotent.
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

namespace leadflow::scoring {

privacy::KeyScheme ScoringPrivacyKeys();

class ScoringPrivacy final : public privacy::ContactEraser {
 public:
  ScoringPrivacy(redis::Client& redis, const Clock& clock);

  kafka::BatchHandler GateAccepted(kafka::BatchHandler inner);
  kafka::BatchHandler GateAccepted(kafka::MessageHandler inner) {
    return GateAccepted(privacy::PerMessage(std::move(inner)));
  }
  kafka::BatchHandler GateEngagement(kafka::BatchHandler inner);
  kafka::BatchHandler GateEngagement(kafka::MessageHandler inner) {
    return GateEngagement(privacy::PerMessage(std::move(inner)));
  }

  Status Erase(const leadflow::privacy::v1::ContactErasure& erasure) override;

  // The gates' verdicts (public for tests).
  std::vector<privacy::GateVerdict> SeeAccepted(const std::vector<kafka::ConsumedMessage>& batch);
  std::vector<privacy::GateVerdict> CheckEngagement(
      const std::vector<kafka::ConsumedMessage>& batch);

 private:
  redis::Client& redis_;
  const Clock& clock_;
  privacy::ContactStateStore state_;
};

}  // namespace leadflow::scoring
