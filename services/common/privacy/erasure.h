// Personal-data erasure and consent: the pure rules every service shares
// (docs/privacy.md). No I/O; thread-safe.
//
//  - privacy.erasure records (privacy.v1.ContactErasure) are validated here,
//    so every consumer refuses the same malformed records (dead-lettered by
//    the consumer loop with the original bytes).
//  - ScrubLead() turns a stored lead into its tombstone: the ids, company and
//    scores stay (counters and audit keep working), everything that names or
//    reaches the person goes.
//  - WithdrawalCovers() decides whether a consent withdrawal applies to a lead.
#pragma once

#include <cstdint>
#include <string>
#include <optional>
#include <string_view>

#include "common/kafka/message.h"
#include "common/util/status.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/intake/v1/intake.pb.h"
#include "leadflow/privacy/v1/privacy.pb.h"

namespace leadflow::privacy {

// At most this many lead ids in one erasure record.
inline constexpr int kMaxErasureLeadIds = 1000;
// What a scrubbed free-mail account key (an email) is replaced with.
inline constexpr char kErasedAccountKey[] = "erased";

// "c-" followed by 16 lower-case hex digits (intake's ContactIdFor).
bool IsContactId(std::string_view s);
// A lead id safe to put into a key name: 1..64 of [A-Za-z0-9._-].
bool IsLeadIdShaped(std::string_view s);

// Validates a privacy.erasure record: a ContactErasure with an erasure_id, a
// contact id of the right shape (equal to the record key when a key is set)
// and well-shaped lead ids. kInvalidArgument with a ReasonCode otherwise.
StatusOr<leadflow::privacy::v1::ContactErasure> ParseErasure(const kafka::ConsumedMessage& message);

// The privacy.erasure record for `erasure`, keyed by its contact id.
kafka::OutgoingMessage ErasureMessage(const leadflow::privacy::v1::ContactErasure& erasure);

// Removes the person from a lead: the whole contact (email, phone, name,
// title, time zone, contact id), the free-text answers, and an account key
// that is the person's email or phone (free-mail leads). Idempotent.
void ScrubLead(leadflow::intake::v1::LeadAccepted* lead);

// True when a consent withdrawal at `withdrawn_at_ms` (> 0) applies to a lead
// first submitted at `first_submitted_ms`: the lead was given before (or at)
// the withdrawal. A lead submitted later carries new consent (intake refuses
// a submission without it) and is not covered.
bool WithdrawalCovers(int64_t withdrawn_at_ms, int64_t first_submitted_ms);

struct ConsentWithdrawal {
  std::string contact_id;
  int64_t at_ms = 0;
};

// For a CONSENT_WITHDRAWN engagement event: the contact (the event's
// contact_id, else the record key) and when (occurred_at, else the record's
// timestamp). nullopt for every other event type or without a contact.
std::optional<ConsentWithdrawal> WithdrawalOf(const leadflow::engagement::v1::EngagementEvent& event,
                                              const std::string& record_key, int64_t record_ms);

}  // namespace leadflow::privacy
