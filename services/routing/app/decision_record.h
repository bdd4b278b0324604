// What routing keeps of a lead in its decision record
// (lf:{routing}:decision:<lead_id>, a serialized LeadAssigned), and for how
// long. docs/state.md lists every key family with its lifecycle and size.
//
// A record keeps the lead's body (the scored lead, with the contact) only
// while routing still needs it to act on the lead by itself:
//
//   the lead is                          record   TTL
//   queued, or open with a rep           full     none: ends at sales feedback
//   closed, or rejected by its rep       slim     kOwnedRecordTtl, renewed by
//                                                 every rescore that meets it
//   rejected back to nurture             full     kRedeliveryWindow (a
//     (protected reason)                          redelivered rejection re-emits
//                                                 the NurtureRequested)
//   NURTURE, CUSTOMER_INBOUND or         slim     kRedeliveryWindow
//     DISQUALIFIED from leads.scored
//
// A slim record is the decision (outcome, team, rep, path, times),
// previous_reps and the SLA due time, with `scored` reduced to the score
// revision and lead.meta.lead_id: ids and the decision, no personal data.
// Re-emitting a slim record's decision for a redelivered or rescored
// leads.scored message takes the lead from that message (the same bytes the
// first emission carried).
//
// Why those TTLs:
//  - kRedeliveryWindow: a record whose lead routing hands on and never acts on
//    again only has to make a redelivered leads.scored (or sales.feedback)
//    message re-emit the same decision. A redelivery comes after a crash or
//    an outage (offsets not yet committed); leads.scored keeps 7 days
//    (deploy/k8s/base/kafka-topics.yaml) and the window is twice that. A
//    rescore is a new revision: a NURTURE record is re-routed by it anyway,
//    and a CUSTOMER_INBOUND or DISQUALIFIED lead decided again gets the same
//    outcome. A protected rejection replayed later than the window (a reset
//    consumer group: sales.feedback keeps 548 days) finds no record and is
//    dead-lettered as NotFound instead of re-emitting its NurtureRequested.
//  - kOwnedRecordTtl: a lead a rep has held must never get a second owner
//    from a rescore during the sales cycle (1 to 1.5 years), so its record
//    lives 548 days, the scoring state's TTL, and every rescore that finds it
//    renews it.
//
// Pure functions over the protos; thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::routing {

inline constexpr std::chrono::seconds kRedeliveryWindow = std::chrono::hours(24 * 14);
inline constexpr std::chrono::seconds kOwnedRecordTtl = std::chrono::hours(24 * 548);

// True for a slim record: its scored lead has no contact, no company and no
// scoring time (every lead scoring publishes has them).
bool IsSlim(const leadflow::routing::v1::LeadAssigned& record);

// The slim copy of a record: `record` without the lead's body.
leadflow::routing::v1::LeadAssigned Slim(const leadflow::routing::v1::LeadAssigned& record);

// The slim record for a decision `rest` (its scored field unset) of the lead
// `lead_id` at score `revision`, serialised.
std::string SlimRecordBytes(const std::string& lead_id, int32_t revision,
                            const leadflow::routing::v1::LeadAssigned& rest);

// Whether a record's decision keeps the lead's body when recorded from
// leads.scored: a lead routing will still act on (assigned, owned or queued).
bool KeepsLead(leadflow::routing::v1::RoutingOutcome outcome);

// An erasure marks a slim record (lead.meta.account_key = "erased"): a
// re-emission then scrubs the lead it takes from the message.
bool IsErased(const leadflow::routing::v1::LeadAssigned& record);
void MarkErased(leadflow::routing::v1::LeadAssigned* record);

}  // namespace leadflow::routing
