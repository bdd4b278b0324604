#include "nurture/app/touch_finisher.h"

namespace leadflow::nurture {

FinishArgs TouchFinisher::FinishFor(const std::string& touch_id, const ParsedTouchId& parsed,
                                    const std::optional<EnrolmentRecord>& rec, bool sent,
                                    int64_t now_ms) const {
  FinishArgs f;
  f.enrolment_id = parsed.enrolment_id;
  f.touch_id = touch_id;
  f.expected_step = parsed.step;
  f.sent = sent;
  f.sent_ms = now_ms;
  if (rec.has_value()) {  // the keys the enrolment's end touches (nurture_keys.h)
    f.contact_id = rec->enrolment.contact_id();
    f.lead_id = rec->enrolment.lead_id();
    f.account_key = rec->account_key;
    f.email = rec->email;
  }
  const auto* track = rec.has_value() ? policy_->FindTrack(rec->enrolment.track_id()) : nullptr;
  if (track != nullptr) {
    const NextTouch next =
        NextAfter(*policy_, *track, parsed.enrolment_id, rec->enrolled_ms, parsed.step, now_ms);
    f.next_touch_id = next.touch_id;
    f.next_due_ms = next.due_ms;
  }
  return f;
}

Status TouchFinisher::FinishAll(const std::vector<FinishArgs>& finishes) {
  const auto advanced = store_.touches().FinishMany(finishes);
  for (size_t i = 0; i < finishes.size(); ++i) {
    if (!advanced[i].ok()) return advanced[i].status();
    if (*advanced[i] && finishes[i].next_touch_id.empty()) metrics_.Exited("completed");
  }
  return Status::Ok();
}

Status TouchFinisher::FinishTouch(const std::string& touch_id, bool sent, int64_t now_ms) {
  auto parsed = ParseTouchId(touch_id);
  if (!parsed) return store_.touches().Drop(touch_id);
  auto rec = store_.enrolments().Get(parsed->enrolment_id);
  if (!rec.ok()) return rec.status();
  return FinishAll({FinishFor(touch_id, *parsed, *rec, sent, now_ms)});
}

}  // namespace leadflow::nurture
