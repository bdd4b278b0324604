// Nurture's Redis keys. Every key shares the {nurture} hash tag so the Lua
// scripts can touch several atomically; each family is kept by one store:
//
//   lf:{nurture}:enrol:<enrolment_id>   hash: contact_id, lead_id, track_id, audience,
//                                       account_key, email, trace_id, enrolled_ms,
//                                       next_step, next_due_ms, state, exit_reason
//                                       (Enrolments)
//   lf:{nurture}:req:<enrolment_id>     the NurtureRequested that enrolled it (lookup data
//                                       for the registry re-check before each touch)
//   lf:{nurture}:sent-list:<enrolment_id>  touch ids sent, in order
//   lf:{nurture}:contact:<contact_id>   set of enrolment ids (also :lead:<id>)
//   lf:{nurture}:account:<key>          set of the ACTIVE enrolment ids of an account
//   lf:{nurture}:contact-email:<email>  hash: "contact" -> contact id (Unsubscribe by
//                                       email), and a field per active enrolment id
//   lf:{nurture}:due                    sorted set: score = due ms, member = touch id
//                                       (TouchLedger)
//   lf:{nurture}:inflight               hash touch id -> due ms: claimed by the scheduler and
//                                       possibly produced; resolved by Finish/Release/Drop, or
//                                       after a crash by the recovery scan of nurture.touches
//   lf:{nurture}:sent:<touch_id>        "1" once the touch is known to be on nurture.touches
//                                       (TTL kSentMarkerTtl)
//   lf:{nurture}:sends:<contact_id>     sorted set of the contact's sends (score = ms, member =
//                                       16 hex digits of the touch id's SHA-256), for caps
//                                       (TTL 14 days)
//   lf:{nurture}:scheduler-lease        instance id of the one replica running the scheduler
//                                       (SchedulerLease)
//   lf:{nurture}:unsub                  set of unsubscribed contact ids (Unsubscribes)
//   lf:{nurture}:unsub-email            set of unsubscribed emails (never enrolled when asked)
//   lf:{nurture}:suppressed:<account>   set of suppressed topics (Suppressions)
//   lf:{nurture}:prog-accounts, prog-state  the programmes' (ProgrammeStore)
//
// Only the NEXT touch of an enrolment is in the due set; sending it schedules
// the one after (TouchLedger::Finish).
//
// Lifecycle (docs/state.md): while an enrolment is active everything above
// lives without a TTL. When it ends (its last touch finished: COMPLETED; or
// EXITED), in the same script: its request (the lead's body) is deleted; its
// hash loses account_key and email and, with its sent list, expires after
// kEndedEnrolmentTtl (Enrolments::Get still answers for it meanwhile); it
// leaves the account index and the email lookup (deleted with the email's last
// active enrolment); the lead index expires kIndexTtl later (a lead enrols
// once during a sales cycle: the lead index is what says so), the contact
// index kEndedEnrolmentTtl after the contact's last enrolment ended
// (kIndexTtl when the enrolment had no email to tell that by).
#pragma once

#include <chrono>

namespace leadflow::nurture {

inline constexpr char kNurtureKeyPrefix[] = "lf:{nurture}:";

// How long an ended enrolment (its hash and sent list) stays readable.
inline constexpr std::chrono::seconds kEndedEnrolmentTtl = std::chrono::hours(24 * 30);
// How long the lead index outlives an enrolment's end: a sales cycle, the
// scoring state's TTL (a rescore may send the lead back to nurture).
inline constexpr std::chrono::seconds kIndexTtl = std::chrono::hours(24 * 548);
// How long a sent marker outlives its touch: it only guards a touch that a
// failed finish left in flight until the next Recover().
inline constexpr std::chrono::seconds kSentMarkerTtl = std::chrono::hours(24 * 14);

}  // namespace leadflow::nurture
