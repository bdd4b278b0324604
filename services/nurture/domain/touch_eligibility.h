// May this touch go out now? The rule before every touch (docs/domain-rules.md
// §1 and §7), pure: it takes the facts the scheduler read (the enrolment, its
// track and content, the contact's account in the registry view, its
// unsubscribe, suppression and recent sends) and `now`, and answers, in this
// order:
//  1. the enrolment still has its track and its request, else it exits;
//  2. the contact's CURRENT relationship: a customer enrolment whose account
//     left the CRM exits; a changed relationship moves the enrolment to a
//     track of the new audience before anything is sent;
//  3. the wall: the track, the enrolment and the content must all belong to
//     the contact's current audience, else a counted violation and an exit;
//  4. an unsubscribed contact gets nothing more (exit);
//  5. a topic suppressed for the account skips this touch, keeps the track;
//  6. a touch already on nurture.touches is finished as sent, not re-sent;
//  7. frequency caps across all tracks and quiet hours in the contact's zone
//     defer it (send_window.h);
//  8. else: send.
// A fact the scheduler could not read is answered as missing (the scheduler
// fails the touch with the read's error) only when the rule gets that far.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "leadflow/config/v1/nurture_config.pb.h"

namespace leadflow::nurture {

enum class TouchOutcome {
  kSend,
  kDefer,         // caps or quiet hours: due again at defer_to_ms
  kSkip,          // finished unsent (topic suppressed): the track goes on
  kAlreadySent,   // finished as sent: it is on nurture.touches already
  kExit,          // the enrolment exits (exit_reason); the touch is dropped
  kMigrate,       // the enrolment moves to a track of `move_to`; the touch is dropped
  kNeedsAccount,  // the registry view was not read (the lookup failed)
  kNeedsContact,  // the contact's checks were not read
};

struct TouchVerdict {
  TouchOutcome outcome = TouchOutcome::kSend;
  // Counted as suppressed for this reason (REASON_UNSPECIFIED: not counted).
  leadflow::common::v1::ReasonCode suppressed = leadflow::common::v1::REASON_UNSPECIFIED;
  std::string exit_reason;                                                      // kExit
  leadflow::common::v1::Relationship move_to = leadflow::common::v1::PROSPECT;  // kMigrate
  int64_t defer_to_ms = 0;                                                      // kDefer
  bool violation = false;  // the wall blocked it (kExit "audience_violation")
  std::string detail;      // why the wall blocked it; no PII
};

// What the scheduler read of the contact (TouchFacts::contact).
struct ContactFacts {
  bool unsubscribed = false;
  bool suppressed = false;        // the content's topic, for the enrolment's or current account
  std::vector<int64_t> sends_ms;  // recent sends, this poll's earlier sends included
  std::string time_zone;          // the contact's IANA zone ("" = the configured default)
};

struct TouchFacts {
  int step = 0;  // the touch's step in its track
  leadflow::common::v1::Relationship enrolment_audience = leadflow::common::v1::PROSPECT;
  const leadflow::config::v1::Track* track = nullptr;          // nullptr: no longer configured
  const leadflow::config::v1::ContentItem* content = nullptr;  // the step's; nullptr: unknown
  bool request_found = false;  // the request that enrolled it (the registry lookup's data)
  bool account_read = false;   // the registry view answered
  bool account_found = false;  // the contact's account is in it
  leadflow::common::v1::Relationship current = leadflow::common::v1::PROSPECT;
  bool already_sent = false;              // the touch's sent marker
  const ContactFacts* contact = nullptr;  // nullptr: not read
};

TouchVerdict DecideTouch(const TouchFacts& facts, const leadflow::config::v1::NurtureConfig& config,
                         int64_t now_ms);

}  // namespace leadflow::nurture
