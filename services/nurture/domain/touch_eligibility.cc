#include "nurture/domain/touch_eligibility.h"

#include "nurture/domain/audience_guard.h"
#include "nurture/domain/send_window.h"

namespace leadflow::nurture {
namespace {

namespace cv1 = leadflow::common::v1;

TouchVerdict Exit(std::string reason, cv1::ReasonCode suppressed = cv1::REASON_UNSPECIFIED) {
  TouchVerdict v;
  v.outcome = TouchOutcome::kExit;
  v.exit_reason = std::move(reason);
  v.suppressed = suppressed;
  return v;
}

TouchVerdict Outcome(TouchOutcome outcome, cv1::ReasonCode suppressed = cv1::REASON_UNSPECIFIED) {
  TouchVerdict v;
  v.outcome = outcome;
  v.suppressed = suppressed;
  return v;
}

// Steps 2 and 3: the contact's current relationship, then the wall. kSend
// when the touch may go on to the contact's checks.
TouchVerdict CheckAudience(const TouchFacts& f) {
  if (f.enrolment_audience == cv1::CUSTOMER && !f.account_found) {
    // The account left the CRM: no customer touch, and no prospect one either.
    return Exit("account_removed", cv1::AUDIENCE_MISMATCH);
  }
  if (f.current != f.enrolment_audience &&
      (f.enrolment_audience == cv1::PROSPECT || f.enrolment_audience == cv1::CUSTOMER)) {
    TouchVerdict v = Outcome(TouchOutcome::kMigrate, cv1::AUDIENCE_MISMATCH);
    v.move_to = f.current;
    return v;
  }
  AudienceVerdict wall = AudienceGuard::Check(f.track->audience(), f.current);
  if (wall.allowed && f.enrolment_audience != f.track->audience()) {
    wall = {false, "enrolment audience differs from the track's"};
  }
  if (wall.allowed && (f.content == nullptr || f.content->audience() != f.track->audience())) {
    wall = {false, "content audience differs from the track's"};
  }
  if (wall.allowed) return Outcome(TouchOutcome::kSend);
  TouchVerdict v = Exit("audience_violation", cv1::AUDIENCE_MISMATCH);
  v.violation = true;
  v.detail = wall.detail;
  return v;
}

// Steps 4 to 8: the contact's own checks.
TouchVerdict CheckContact(const ContactFacts& c, bool already_sent,
                          const leadflow::config::v1::NurtureConfig& config, int64_t now_ms) {
  if (c.unsubscribed) return Exit("unsubscribed", cv1::UNSUBSCRIBED);
  if (c.suppressed) return Outcome(TouchOutcome::kSkip, cv1::TOPIC_SUPPRESSED);
  if (already_sent) return Outcome(TouchOutcome::kAlreadySent);
  const SendDecision when =
      EarliestSend(now_ms, c.sends_ms, config.caps(), config.quiet_hours(), c.time_zone);
  if (when.at_ms <= now_ms) return Outcome(TouchOutcome::kSend);
  TouchVerdict v =
      Outcome(TouchOutcome::kDefer,
              when.reason == HoldReason::kFrequencyCap ? cv1::FREQUENCY_CAP : cv1::QUIET_HOURS);
  v.defer_to_ms = when.at_ms;
  return v;
}

}  // namespace

TouchVerdict DecideTouch(const TouchFacts& f, const leadflow::config::v1::NurtureConfig& config,
                         int64_t now_ms) {
  if (f.track == nullptr || f.step >= f.track->steps_size()) return Exit("track_removed");
  if (!f.request_found) return Exit("request_missing");
  if (!f.account_read) return Outcome(TouchOutcome::kNeedsAccount);
  if (TouchVerdict v = CheckAudience(f); v.outcome != TouchOutcome::kSend) return v;
  if (f.contact == nullptr) return Outcome(TouchOutcome::kNeedsContact);
  return CheckContact(*f.contact, f.already_sent, config, now_ms);
}

}  // namespace leadflow::nurture
