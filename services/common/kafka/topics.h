// Topic names (docs/architecture.md, "Topics"); the one place they are spelled.
#pragma once

namespace leadflow::topics {

inline constexpr char kLeadsSubmitted[] = "leads.submitted";
inline constexpr char kLeadsAccepted[] = "leads.accepted";
inline constexpr char kLeadsRejected[] = "leads.rejected";
inline constexpr char kLeadsScored[] = "leads.scored";
inline constexpr char kLeadsAssigned[] = "leads.assigned";
inline constexpr char kLeadsNurture[] = "leads.nurture";
inline constexpr char kAccountsInbound[] = "accounts.inbound";
inline constexpr char kAccountsChanges[] = "accounts.changes";
inline constexpr char kEngagementEvents[] = "engagement.events";
inline constexpr char kSalesFeedback[] = "sales.feedback";
// A sales tool's feedback: one topic per team, "sales.feedback.<team id>",
// each writable by that team's tools only (broker ACLs), so the topic a
// record arrives on names the team that wrote it. Routing applies it and
// republishes it on sales.feedback, which only routing writes.
inline constexpr char kSalesFeedbackTeamPrefix[] = "sales.feedback.";
// Leads their rep rejected for a reason that does not send them back to
// nurture (routing.v1.LeadDiscarded, keyed by lead id): where such a lead
// goes, visibly, instead of vanishing (docs/architecture.md).
inline constexpr char kLeadsDiscarded[] = "leads.discarded";
// Deal stage moves after acceptance (routing.v1.DealStageChanged, keyed by lead
// id; ids only), for sales tools and analytics (docs/domain-rules.md §6).
inline constexpr char kDealsStages[] = "deals.stages";
// Deals that stayed in a stage longer than its maximum (routing.v1.DealStalled,
// keyed by lead id; ids only), for the owner and the team lead.
inline constexpr char kDealsStalls[] = "deals.stalls";
// The SLA escalation ladder's steps (routing.v1.SlaEscalation, keyed by lead
// id; ids only): reminder, escalation to the team lead, re-assignment.
inline constexpr char kSlaEscalations[] = "sla.escalations";
inline constexpr char kNurtureTouches[] = "nurture.touches";
inline constexpr char kAccountsNotifications[] = "accounts.notifications";
// Personal-data erasure requests (privacy.v1.ContactErasure, keyed by contact id).
inline constexpr char kPrivacyErasure[] = "privacy.erasure";
// Rep availability changes (routing -> routing's state rebuild), keyed by rep id;
// compacted.
inline constexpr char kRepsAvailability[] = "reps.availability";
// A rep's out-of-office windows (compacted, keyed by rep id): HR and calendar
// tools and routing's SetRepOutOfOffice publish; routing applies them.
inline constexpr char kRepsOutOfOffice[] = "reps.out-of-office";
// The contacts seen on each account's leads (intake.v1.AccountContactSeen,
// keyed "<account_key>|<contact_id>"; ids only), written and read back by
// intake's buying-committee coverage view; compact,delete over the 548-day
// coverage window (docs/state.md, `cov:<account>`).
inline constexpr char kAccountsContacts[] = "accounts.contacts";
// routing's record of each prospect lead joining its submission cohort
// (routing.v1.LeadCohortJoined, keyed by lead id; ids only): the source the
// cohort conversion is rebuilt from (docs/state.md, `cohort:`), 579 days.
inline constexpr char kLeadsCohorts[] = "leads.cohorts";
// Webhooks leadflow-notifier could not deliver within their retry policy
// (notifier.v1.NotificationDeadLetter, keyed by event id; ids only, with the
// body as sent): never dropped (docs/notifier.md).
inline constexpr char kNotificationsDead[] = "notifications.dead";

// Header naming the payload encoding of leads.submitted: "json" (default) or "protobuf".
inline constexpr char kContentTypeHeader[] = "content-type";
// Header carrying the trace id on every produced event.
inline constexpr char kTraceHeader[] = "trace-id";

}  // namespace leadflow::topics
