#include "nurture/app/nurture_engine.h"

#include <thread>

#include "common/kafka/dead_letter.h"
#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "nurture/domain/audience_guard.h"
#include "nurture/domain/touch_plan.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;
namespace rv1 = leadflow::routing::v1;

namespace {

void SetTs(google::protobuf::Timestamp* ts, int64_t ms) {
  ts->set_seconds(ms / 1000);
  ts->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

}  // namespace

NurtureEngine::NurtureEngine(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                             registry::AccountRegistry& registry, kafka::Producer& producer,
                             NurtureMetrics& metrics, const Clock& clock)
    : policy_(std::move(policy)),
      store_(store),
      registry_(registry),
      producer_(producer),
      metrics_(metrics),
      clock_(clock) {}

kafka::MessageHandler NurtureEngine::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return Handle(m, out);
  };
}

StatusOr<cv1::Relationship> NurtureEngine::CurrentRelationship(const rv1::NurtureRequested& req) {
  const auto& lead = req.scored().lead();
  auto acct =
      registry_.Lookup(lead.contact().email(), lead.company().domain(), lead.company().inn());
  if (!acct.ok()) return acct.status();
  if (acct->has_value() && (*acct)->relationship() == cv1::CUSTOMER) return cv1::CUSTOMER;
  return cv1::PROSPECT;
}

Status NurtureEngine::Handle(const kafka::ConsumedMessage& message,
                             std::vector<kafka::OutgoingMessage>& out) {
  rv1::NurtureRequested req;
  if (!req.ParseFromString(message.payload)) {
    return Status::InvalidArgument("leads.nurture payload is not a NurtureRequested",
                                   cv1::MALFORMED_PAYLOAD);
  }
  const auto& lead = req.scored().lead();
  const auto& meta = lead.meta();
  if (meta.lead_id().empty()) {
    return Status::InvalidArgument("scored.lead.meta.lead_id: required", cv1::MISSING_FIELD);
  }
  if (lead.contact().contact_id().empty()) {
    return Status::InvalidArgument("scored.lead.contact.contact_id: required", cv1::MISSING_FIELD);
  }
  auto current = CurrentRelationship(req);
  if (!current.ok()) return current.status();
  // The wall: leads.nurture carries prospects only.
  cv1::Relationship seen = meta.relationship();
  if (*current == cv1::CUSTOMER) seen = cv1::CUSTOMER;
  const AudienceVerdict verdict = AudienceGuard::Check(cv1::PROSPECT, seen);
  if (!verdict.allowed) {
    metrics_.AudienceViolation();
    log::Error("audience violation blocked at enrolment",
               {{"lead_id", meta.lead_id()}, {"detail", verdict.detail}});
    auto rej =
        kafka::MakeRejection(message, leadflow::intake::v1::NURTURE, cv1::AUDIENCE_MISMATCH,
                             "prospect nurture refused: " + verdict.detail, clock_.NowMillis());
    *rej.mutable_meta() = meta;
    out.push_back(kafka::ToDeadLetterMessage(rej));
    return Status::Ok();
  }

  TrackQuery q;
  q.audience = cv1::PROSPECT;
  q.segment = req.scored().segment();
  q.buyer_class = lead.contact().buyer_class();
  q.decision_role = lead.contact().decision_role();
  q.buyer_stage = req.scored().buyer_stage() != cv1::BUYER_STAGE_UNSPECIFIED
                      ? req.scored().buyer_stage()
                      : lead.buyer_stage();
  const auto* track = policy_->SelectTrack(q);
  if (track == nullptr) {
    return Status::InvalidArgument("no prospect nurture track matches this lead",
                                   cv1::INVALID_FIELD);
  }
  const int64_t now_ms = clock_.NowMillis();
  NewEnrolment e;
  e.enrolment_id = EnrolmentId(meta.lead_id(), track->track_id());
  e.contact_id = lead.contact().contact_id();
  e.lead_id = meta.lead_id();
  e.track_id = track->track_id();
  e.audience = track->audience();
  e.account_key = meta.account_key().empty() ? message.key : meta.account_key();
  e.email = lead.contact().email();
  e.trace_id = meta.trace_id();
  e.enrolled_ms = now_ms;
  const auto plan = PlanTouches(*policy_, *track, e.enrolment_id, now_ms);
  e.first_touch_id = plan.front().touch_id;  // validated: every track has steps
  e.first_due_ms = plan.front().due_ms;
  auto created = store_.Enrol(e, req);
  if (!created.ok()) return created.status();
  if (*created) {
    metrics_.Enrolled(track->track_id());
    log::Info("enrolled", {{"lead_id", meta.lead_id()}, {"track", track->track_id()}});
  }
  return Status::Ok();
}

Status NurtureEngine::ExitEnrolment(const std::string& enrolment_id, const std::string& reason) {
  auto exited = store_.Exit(enrolment_id, reason);
  if (!exited.ok()) return exited.status();
  if (*exited) metrics_.Exited(reason);
  return Status::Ok();
}

Status NurtureEngine::ProcessTouch(const std::string& touch_id, int64_t now_ms) {
  auto parsed = ParseTouchId(touch_id);
  if (!parsed) {
    log::Warn("malformed touch id in the due set", {{"touch_id", touch_id}});
    return Status::Ok();
  }
  auto rec = store_.Get(parsed->enrolment_id);
  if (!rec.ok()) return rec.status();
  if (!rec->has_value()) return Status::Ok();
  const auto& e = (*rec)->enrolment;
  if (e.state() != nv1::ACTIVE_ENROLMENT || e.next_step() != parsed->step) return Status::Ok();

  const auto* track = policy_->FindTrack(e.track_id());
  if (track == nullptr || parsed->step >= track->steps_size()) {
    return ExitEnrolment(parsed->enrolment_id, "track_removed");
  }
  auto req = store_.GetRequest(parsed->enrolment_id);
  if (!req.ok()) return req.status();
  if (!req->has_value()) return ExitEnrolment(parsed->enrolment_id, "request_missing");

  // 1. The wall, against the CURRENT registry view.
  auto current = CurrentRelationship(**req);
  if (!current.ok()) return current.status();
  const AudienceVerdict verdict = AudienceGuard::Check(e.audience(), *current);
  if (!verdict.allowed) {
    metrics_.AudienceViolation();
    metrics_.Touch("suppressed", cv1::ReasonCode_Name(cv1::AUDIENCE_MISMATCH));
    log::Error("audience violation blocked before a touch",
               {{"lead_id", e.lead_id()}, {"track", e.track_id()}, {"detail", verdict.detail}});
    // Seam: a converted prospect moves to a customer track in a later issue;
    // for now it only leaves the prospect track.
    return ExitEnrolment(parsed->enrolment_id, "audience_mismatch");
  }
  // 2. Unsubscribed contacts get nothing more.
  auto unsub = store_.IsUnsubscribed(e.contact_id());
  if (!unsub.ok()) return unsub.status();
  if (*unsub) {
    metrics_.Touch("suppressed", cv1::ReasonCode_Name(cv1::UNSUBSCRIBED));
    return ExitEnrolment(parsed->enrolment_id, "unsubscribed");
  }
  // Seam: frequency caps and quiet hours (config caps / quiet_hours) are a later issue.

  const auto plan = PlanTouches(*policy_, *track, parsed->enrolment_id, (*rec)->enrolled_ms);
  const PlannedTouch& touch = plan[static_cast<size_t>(parsed->step)];
  const bool last = parsed->step + 1 >= static_cast<int>(plan.size());
  const std::string next_id = last ? "" : plan[static_cast<size_t>(parsed->step) + 1].touch_id;
  const int64_t next_due = last ? 0 : plan[static_cast<size_t>(parsed->step) + 1].due_ms;

  // 3. Topic suppressed for this account: skip this touch, keep the track.
  auto suppressed = store_.IsSuppressed((*rec)->account_key, touch.topic);
  if (!suppressed.ok()) return suppressed.status();
  if (*suppressed) {
    metrics_.Touch("suppressed", cv1::ReasonCode_Name(cv1::TOPIC_SUPPRESSED));
    auto adv = store_.Advance(parsed->enrolment_id, parsed->step, "", next_id, next_due);
    return adv.ok() ? Status::Ok() : adv.status();
  }

  // 4. Send exactly once per touch id. The sent marker is set BEFORE
  // producing: a crash between the two loses this touch rather than sending
  // it twice (for marketing mail, a missed touch is cheaper than a duplicate).
  // A produce that fails in-process clears the marker and retries later.
  auto first = store_.MarkSent(touch_id);
  if (!first.ok()) return first.status();
  if (*first) {
    nv1::Touch t;
    t.set_touch_id(touch_id);
    t.set_contact_id(e.contact_id());
    t.set_lead_id(e.lead_id());
    t.set_account_key((*rec)->account_key);
    t.set_audience(e.audience());
    t.set_track_id(e.track_id());
    t.set_step(parsed->step);
    t.set_content_id(touch.content_id);
    t.set_topic(touch.topic);
    t.set_channel(touch.channel);
    SetTs(t.mutable_due_at(), touch.due_ms);
    SetTs(t.mutable_sent_at(), now_ms);
    t.set_trace_id((*rec)->trace_id);
    kafka::OutgoingMessage m;
    m.topic = topics::kNurtureTouches;
    m.key = e.contact_id();
    t.SerializeToString(&m.payload);
    if (!(*rec)->trace_id.empty()) m.headers.push_back({topics::kTraceHeader, (*rec)->trace_id});
    if (Status s = producer_.ProduceAndWait(m, std::chrono::seconds(10)); !s.ok()) {
      (void)store_.UnmarkSent(touch_id);
      return Status::Unavailable("producing touch failed: " + s.message());
    }
    metrics_.Touch("sent", "none");
  }
  auto adv = store_.Advance(parsed->enrolment_id, parsed->step, touch_id, next_id, next_due);
  if (!adv.ok()) return adv.status();
  if (last) metrics_.Exited("completed");
  return Status::Ok();
}

StatusOr<int> NurtureEngine::PollOnce(int limit) {
  const int64_t now_ms = clock_.NowMillis();
  auto due = store_.DueTouches(now_ms, limit);
  if (!due.ok()) return due.status();
  int handled = 0;
  for (const auto& touch_id : *due) {
    auto claimed = store_.ClaimTouch(touch_id);
    if (!claimed.ok()) return claimed.status();
    if (!*claimed) continue;  // another replica took it
    Status s = ProcessTouch(touch_id, now_ms);
    if (!s.ok()) {
      // Put it back for the next poll; never lost on a transient failure.
      (void)store_.Reschedule(touch_id, now_ms + 1000);
      if (s.code() == StatusCode::kUnavailable) return s;
      log::Error("touch processing failed", {{"touch_id", touch_id}, {"error", s.message()}});
      continue;
    }
    ++handled;
  }
  return handled;
}

void NurtureEngine::RunScheduler(const std::atomic<bool>& stop,
                                 std::chrono::milliseconds interval) {
  while (!stop.load()) {
    auto n = PollOnce();
    if (!n.ok()) log::Warn("nurture scheduler poll failed", {{"error", n.status().message()}});
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace leadflow::nurture
