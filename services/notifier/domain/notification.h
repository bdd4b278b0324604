// A notification: what one consumed event tells whom, decoded from the event
// and independent of any webhook format (docs/notifier.md). Ids only: never a
// contact's name, email, phone or a rep's free text (docs/privacy.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadflow::notifier {

// The kinds a notification may have; endpoints filter on them
// (NotifierEndpoint.kinds). Adding a kind: append it here.
inline constexpr std::string_view kKindLeadAssigned = "lead_assigned";
inline constexpr std::string_view kKindLeadReassigned = "lead_reassigned";
inline constexpr std::string_view kKindLeadQueued = "lead_queued";
inline constexpr std::string_view kKindDealStalled = "deal_stalled";
inline constexpr std::string_view kKindCustomerResponded = "customer_responded";
inline constexpr std::string_view kKindAccountDevelopment = "account_development";
inline constexpr std::string_view kKindSingleContact = "single_contact";
inline constexpr std::string_view kKindSlaReminder = "sla_reminder";
inline constexpr std::string_view kKindSlaEscalation = "sla_escalation";

// Every kind above, for validating NotifierEndpoint.kinds.
const std::vector<std::string_view>& KnownKinds();
bool IsKnownKind(std::string_view kind);

struct Notification {
  std::string kind;   // one of the kinds above
  std::string title;  // one line for humans, ids only, e.g. "New lead assigned"
  // What makes the event itself unique when the event has such an id (e.g.
  // a stall's lead id and version), so an upstream duplicate on another
  // offset keeps the same event id; empty: the topic, partition and offset
  // identify it (event_id.h).
  std::string natural_id;
  // Who is told: every endpoint configured for one of these reps or teams.
  std::vector<std::string> rep_ids;
  std::vector<std::string> teams;
  // What the receiver needs to act, in display order (lead_id, team, rep_id,
  // reason, sla_due_at, stage, ...). Values are ids, enum names and
  // RFC 3339 times.
  std::vector<std::pair<std::string, std::string>> fields;
  // When the event happened (unix ms; 0 when the event does not say).
  int64_t occurred_at_ms = 0;
};

// RFC 3339 UTC with milliseconds, e.g. "2026-01-14T09:00:00.000Z".
std::string FormatRfc3339Millis(int64_t unix_ms);

}  // namespace leadflow::notifier
