#include "nurture/app/nurture_engine.h"

#include <thread>

#include "common/kafka/dead_letter.h"
#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "nurture/domain/audience_guard.h"
#include "nurture/domain/send_window.h"
#include "nurture/domain/touch_plan.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;
namespace rv1 = leadflow::routing::v1;
namespace ev1 = leadflow::engagement::v1;

namespace {

void SetTs(google::protobuf::Timestamp* ts, int64_t ms) {
  ts->set_seconds(ms / 1000);
  ts->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

std::string Reason(cv1::ReasonCode r) { return cv1::ReasonCode_Name(r); }

int64_t TsMillis(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000 + ts.nanos() / 1000000;
}

std::string MigrationReason(cv1::Relationship now_is) {
  return now_is == cv1::CUSTOMER ? "became_customer" : "became_prospect";
}

}  // namespace

NurtureEngine::NurtureEngine(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                             registry::AccountRegistry& registry, kafka::Producer& producer,
                             NurtureMetrics& metrics, const Clock& clock, TouchLogScan scan)
    : policy_(std::move(policy)),
      store_(store),
      registry_(registry),
      producer_(producer),
      metrics_(metrics),
      clock_(clock),
      scan_(std::move(scan)) {}

kafka::MessageHandler NurtureEngine::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    if (m.topic == topics::kAccountsInbound) return HandleCustomerInbound(m, out);
    return HandleNurtureRequest(m, out);
  };
}

kafka::MessageHandler NurtureEngine::AccountChangesHandler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return HandleAccountChange(m, out);
  };
}

kafka::MessageHandler NurtureEngine::ExitsHandler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return HandleExitEvent(m, out);
  };
}

StatusOr<cv1::Relationship> NurtureEngine::CurrentRelationship(
    const rv1::NurtureRequested& req, std::optional<leadflow::accounts::v1::AccountState>* account) {
  const auto& lead = req.scored().lead();
  auto acct =
      registry_.Lookup(lead.contact().email(), lead.company().domain(), lead.company().inn());
  if (!acct.ok()) return acct.status();
  if (account != nullptr) *account = *acct;
  if (acct->has_value() && (*acct)->relationship() == cv1::CUSTOMER) return cv1::CUSTOMER;
  return cv1::PROSPECT;
}

Status NurtureEngine::EnrolIn(const rv1::NurtureRequested& req, cv1::Relationship audience,
                              const std::string& account_key, const std::string& suffix) {
  const auto& lead = req.scored().lead();
  const auto& meta = lead.meta();
  auto unsub = store_.IsUnsubscribed(lead.contact().contact_id());
  if (!unsub.ok()) return unsub.status();
  if (!*unsub && !lead.contact().email().empty()) {
    unsub = store_.IsUnsubscribedEmail(lead.contact().email());
    if (!unsub.ok()) return unsub.status();
  }
  if (*unsub) {
    log::Info("not enrolled: contact unsubscribed", {{"lead_id", meta.lead_id()}});
    return Status::Ok();
  }
  TrackQuery q;
  q.audience = audience;
  q.segment = req.scored().segment();
  q.buyer_class = lead.contact().buyer_class();
  q.decision_role = lead.contact().decision_role();
  q.buyer_stage = req.scored().buyer_stage() != cv1::BUYER_STAGE_UNSPECIFIED
                      ? req.scored().buyer_stage()
                      : lead.buyer_stage();
  const auto* track = policy_->SelectTrack(q);
  if (track == nullptr) {
    return Status::InvalidArgument(
        "no " + cv1::Relationship_Name(audience) + " nurture track matches this lead",
        cv1::INVALID_FIELD);
  }
  const int64_t now_ms = clock_.NowMillis();
  NewEnrolment e;
  e.enrolment_id = EnrolmentId(meta.lead_id(), track->track_id()) + suffix;
  e.contact_id = lead.contact().contact_id();
  e.lead_id = meta.lead_id();
  e.track_id = track->track_id();
  e.audience = track->audience();
  e.account_key = account_key;
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

namespace {

Status ValidateRequest(const rv1::NurtureRequested& req) {
  const auto& lead = req.scored().lead();
  if (lead.meta().lead_id().empty()) {
    return Status::InvalidArgument("scored.lead.meta.lead_id: required", cv1::MISSING_FIELD);
  }
  if (lead.contact().contact_id().empty()) {
    return Status::InvalidArgument("scored.lead.contact.contact_id: required", cv1::MISSING_FIELD);
  }
  return Status::Ok();
}

}  // namespace

Status NurtureEngine::HandleNurtureRequest(const kafka::ConsumedMessage& message,
                                           std::vector<kafka::OutgoingMessage>& out) {
  rv1::NurtureRequested req;
  if (!req.ParseFromString(message.payload)) {
    return Status::InvalidArgument("leads.nurture payload is not a NurtureRequested",
                                   cv1::MALFORMED_PAYLOAD);
  }
  if (Status s = ValidateRequest(req); !s.ok()) return s;
  const auto& meta = req.scored().lead().meta();
  // The wall: routing puts prospects only on leads.nurture.
  const AudienceVerdict verdict = AudienceGuard::Check(cv1::PROSPECT, meta.relationship());
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
  // Nurture's own, current view decides: a prospect whose account has just
  // become a customer goes to a customer track, never a prospect one.
  auto current = CurrentRelationship(req);
  if (!current.ok()) return current.status();
  const std::string account_key = meta.account_key().empty() ? message.key : meta.account_key();
  // A lead enrols once: a redelivery or a rescore leaves its enrolment (active
  // or ended by an exit) as it is. Only sales sending it back with a
  // protected reason makes it re-enter.
  const bool reentry = req.reason() != cv1::REASON_UNSPECIFIED;
  if (!reentry) {
    auto ids = store_.EnrolmentsOfLead(meta.lead_id());
    if (!ids.ok()) return ids.status();
    if (!ids->empty()) return Status::Ok();
  }
  return EnrolIn(req, *current, account_key, reentry ? "~" + Reason(req.reason()) : "");
}

Status NurtureEngine::HandleCustomerInbound(const kafka::ConsumedMessage& message,
                                            std::vector<kafka::OutgoingMessage>& out) {
  rv1::CustomerInbound in;
  if (!in.ParseFromString(message.payload)) {
    return Status::InvalidArgument("accounts.inbound payload is not a CustomerInbound",
                                   cv1::MALFORMED_PAYLOAD);
  }
  rv1::NurtureRequested req;
  *req.mutable_scored() = in.scored();
  *req.mutable_decision() = in.decision();
  if (Status s = ValidateRequest(req); !s.ok()) return s;
  const auto& meta = req.scored().lead().meta();
  const AudienceVerdict verdict = AudienceGuard::Check(cv1::CUSTOMER, meta.relationship());
  if (!verdict.allowed) {
    metrics_.AudienceViolation();
    log::Error("audience violation blocked at customer enrolment",
               {{"lead_id", meta.lead_id()}, {"detail", verdict.detail}});
    auto rej =
        kafka::MakeRejection(message, leadflow::intake::v1::NURTURE, cv1::AUDIENCE_MISMATCH,
                             "customer nurture refused: " + verdict.detail, clock_.NowMillis());
    *rej.mutable_meta() = meta;
    out.push_back(kafka::ToDeadLetterMessage(rej));
    return Status::Ok();
  }
  auto current = CurrentRelationship(req);
  if (!current.ok()) return current.status();
  auto ids = store_.EnrolmentsOfLead(meta.lead_id());
  if (!ids.ok()) return ids.status();
  if (!ids->empty()) return Status::Ok();  // enrols once (redelivery, re-routing)
  const std::string account_key = meta.account_key().empty() ? message.key : meta.account_key();
  return EnrolIn(req, *current, account_key, "");
}

Status NurtureEngine::Migrate(const std::string& enrolment_id, cv1::Relationship now_is) {
  auto rec = store_.Get(enrolment_id);
  if (!rec.ok()) return rec.status();
  if (!rec->has_value()) return Status::Ok();
  auto req = store_.GetRequest(enrolment_id);
  if (!req.ok()) return req.status();
  auto exited = store_.Exit(enrolment_id, MigrationReason(now_is));
  if (!exited.ok()) return exited.status();
  if (!*exited) return Status::Ok();  // someone else moved it already
  metrics_.Exited(MigrationReason(now_is));
  log::Info("relationship changed: moving to a track of the new audience",
            {{"lead_id", (*rec)->enrolment.lead_id()},
             {"from_track", (*rec)->enrolment.track_id()},
             {"now", cv1::Relationship_Name(now_is)}});
  if (!req->has_value()) return Status::Ok();
  Status s = EnrolIn(**req, now_is, (*rec)->account_key, "");
  if (s.code() == StatusCode::kInvalidArgument) {
    // Not a bad message: the configuration has no track for it. It has left
    // the old audience's track either way.
    log::Warn("no track of the new audience", {{"lead_id", (*rec)->enrolment.lead_id()},
                                                {"detail", s.message()}});
    return Status::Ok();
  }
  return s;
}

Status NurtureEngine::HandleAccountChange(const kafka::ConsumedMessage& message,
                                          std::vector<kafka::OutgoingMessage>& out) {
  (void)out;
  if (Status s = registry_.Apply(message.key, message.payload); !s.ok()) return s;
  leadflow::accounts::v1::AccountState acct;
  if (message.payload.empty() || !acct.ParseFromString(message.payload) || acct.deleted()) {
    return Status::Ok();  // a removal: the send-time check handles what it changes
  }
  const cv1::Relationship now_is =
      acct.relationship() == cv1::CUSTOMER ? cv1::CUSTOMER : cv1::PROSPECT;
  std::set<std::string> keys = {acct.account_key(), message.key};
  if (!acct.inn().empty()) keys.insert(acct.inn());
  for (const auto& d : acct.domains()) keys.insert(d);
  for (const auto& key : keys) {
    if (key.empty()) continue;
    auto ids = store_.EnrolmentsOfAccount(key);
    if (!ids.ok()) return ids.status();
    for (const auto& id : *ids) {
      auto rec = store_.Get(id);
      if (!rec.ok()) return rec.status();
      if (!rec->has_value()) continue;
      const auto& e = (*rec)->enrolment;
      if (e.state() != nv1::ACTIVE_ENROLMENT || e.audience() == now_is) continue;
      // Only if this contact really belongs to the changed account now.
      auto req = store_.GetRequest(id);
      if (!req.ok()) return req.status();
      if (!req->has_value()) continue;
      auto current = CurrentRelationship(**req);
      if (!current.ok()) return current.status();
      if (*current == e.audience()) continue;
      if (Status s = Migrate(id, *current); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status NurtureEngine::ExitEnrolment(const std::string& enrolment_id, const std::string& reason) {
  auto exited = store_.Exit(enrolment_id, reason);
  if (!exited.ok()) return exited.status();
  if (*exited) metrics_.Exited(reason);
  return Status::Ok();
}

Status NurtureEngine::ExitAll(const std::vector<std::string>& ids, const std::string& reason) {
  for (const auto& id : ids) {
    if (Status s = ExitEnrolment(id, reason); !s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<int> NurtureEngine::Unsubscribe(const std::string& contact_id, const std::string& reason) {
  auto n = store_.Unsubscribe(contact_id, reason);
  if (!n.ok()) return n.status();
  for (int i = 0; i < *n; ++i) metrics_.Exited(reason);
  return *n;
}

Status NurtureEngine::HandleExitEvent(const kafka::ConsumedMessage& message,
                                      std::vector<kafka::OutgoingMessage>& out) {
  (void)out;
  if (message.topic == topics::kLeadsAssigned) {
    rv1::LeadAssigned a;
    if (!a.ParseFromString(message.payload)) {
      return Status::InvalidArgument("leads.assigned payload is not a LeadAssigned",
                                     cv1::MALFORMED_PAYLOAD);
    }
    const auto& lead = a.scored().lead();
    if (lead.meta().lead_id().empty()) {
      return Status::InvalidArgument("leads.assigned record without scored.lead.meta.lead_id",
                                     cv1::MISSING_FIELD);
    }
    // Handed to sales: the contact leaves every nurture track.
    std::vector<std::string> ids;
    if (!lead.contact().contact_id().empty()) {
      auto c = store_.EnrolmentsOfContact(lead.contact().contact_id());
      if (!c.ok()) return c.status();
      ids = *c;
    }
    auto l = store_.EnrolmentsOfLead(lead.meta().lead_id());
    if (!l.ok()) return l.status();
    ids.insert(ids.end(), l->begin(), l->end());
    // An enrolment routing decided on after this assignment (a protected
    // rejection sent the lead back) is newer than it: keep it. Both times are
    // routing's.
    const int64_t assigned_ms = TsMillis(a.decision().decided_at());
    std::vector<std::string> older;
    for (const auto& id : ids) {
      auto req = store_.GetRequest(id);
      if (!req.ok()) return req.status();
      if (assigned_ms > 0 && req->has_value() &&
          TsMillis((*req)->decision().decided_at()) > assigned_ms) {
        continue;
      }
      older.push_back(id);
    }
    return ExitAll(older, "mql_assigned");
  }
  if (message.topic == topics::kSalesFeedback) {
    rv1::SalesFeedback f;
    if (!f.ParseFromString(message.payload)) {
      return Status::InvalidArgument("sales.feedback payload is not a SalesFeedback",
                                     cv1::MALFORMED_PAYLOAD);
    }
    if (f.lead_id().empty() || f.kind() == rv1::FEEDBACK_KIND_UNSPECIFIED) {
      return Status::InvalidArgument("sales.feedback record without lead_id or kind",
                                     cv1::MISSING_FIELD);
    }
    // A rejection with a protected reason comes back from routing on
    // leads.nurture; only an acceptance ends nurture here.
    if (f.kind() != rv1::ACCEPT) return Status::Ok();
    auto ids = store_.EnrolmentsOfLead(f.lead_id());
    if (!ids.ok()) return ids.status();
    return ExitAll(*ids, "sales_accepted");
  }
  if (message.topic == topics::kEngagementEvents) {
    ev1::EngagementEvent ev;
    if (!ev.ParseFromString(message.payload)) {
      return Status::InvalidArgument("engagement.events payload is not an EngagementEvent",
                                     cv1::MALFORMED_PAYLOAD);
    }
    if (ev.type() == ev1::ENGAGEMENT_TYPE_UNSPECIFIED) {
      return Status::InvalidArgument("engagement event without a type", cv1::MISSING_FIELD);
    }
    const std::string contact = ev.contact_id().empty() ? message.key : ev.contact_id();
    std::string reason;
    switch (ev.type()) {
      case ev1::REPLIED:
        reason = "replied";
        break;
      case ev1::MEETING_BOOKED:
        reason = "meeting_booked";
        break;
      case ev1::UNSUBSCRIBED:
      case ev1::CONSENT_WITHDRAWN: {
        if (contact.empty()) {
          return Status::InvalidArgument("engagement event: contact_id required to unsubscribe",
                                         cv1::MISSING_FIELD);
        }
        auto n = Unsubscribe(contact, ev.type() == ev1::UNSUBSCRIBED ? "unsubscribed"
                                                                     : "consent_withdrawn");
        return n.ok() ? Status::Ok() : n.status();
      }
      default:
        return Status::Ok();  // opens, clicks, visits: scoring's business
    }
    std::vector<std::string> ids;
    if (!contact.empty()) {
      auto c = store_.EnrolmentsOfContact(contact);
      if (!c.ok()) return c.status();
      ids = *c;
    } else if (!ev.lead_id().empty()) {
      auto l = store_.EnrolmentsOfLead(ev.lead_id());
      if (!l.ok()) return l.status();
      ids = *l;
    }
    return ExitAll(ids, reason);
  }
  return Status::InvalidArgument("nurture does not consume topic " + message.topic,
                                 cv1::UNKNOWN_SCHEMA);
}

Status NurtureEngine::FinishTouch(const std::string& touch_id, bool sent, int64_t now_ms) {
  auto parsed = ParseTouchId(touch_id);
  if (!parsed) return store_.Drop(touch_id);
  auto rec = store_.Get(parsed->enrolment_id);
  if (!rec.ok()) return rec.status();
  const auto* track = rec->has_value() ? policy_->FindTrack((*rec)->enrolment.track_id()) : nullptr;
  std::string next_id;
  int64_t next_due = 0;
  std::string contact;
  if (track != nullptr) {
    contact = (*rec)->enrolment.contact_id();
    const auto plan = PlanTouches(*policy_, *track, parsed->enrolment_id, (*rec)->enrolled_ms);
    const size_t i = static_cast<size_t>(parsed->step) + 1;
    if (i < plan.size()) {
      next_id = plan[i].touch_id;
      // Deferrals shift the rest of the track: keep each step's delay after
      // the touch actually before it.
      next_due = std::max(plan[i].due_ms,
                          now_ms + int64_t{track->steps(static_cast<int>(i)).delay_hours()} * 3600000);
    }
  }
  auto adv = store_.Finish(parsed->enrolment_id, contact, touch_id, parsed->step, sent, now_ms,
                           next_id, next_due);
  if (!adv.ok()) return adv.status();
  if (*adv && next_id.empty()) metrics_.Exited("completed");
  return Status::Ok();
}

Status NurtureEngine::ProcessTouch(const std::string& touch_id, int64_t now_ms, Batch& batch) {
  auto parsed = ParseTouchId(touch_id);
  if (!parsed) {
    log::Warn("malformed touch id in the due set", {{"touch_id", touch_id}});
    return store_.Drop(touch_id);
  }
  auto rec = store_.Get(parsed->enrolment_id);
  if (!rec.ok()) return rec.status();
  if (!rec->has_value()) return store_.Drop(touch_id);
  const auto& e = (*rec)->enrolment;
  if (e.state() != nv1::ACTIVE_ENROLMENT || e.next_step() != parsed->step) {
    return store_.Drop(touch_id);
  }
  const auto* track = policy_->FindTrack(e.track_id());
  if (track == nullptr || parsed->step >= track->steps_size()) {
    if (Status s = ExitEnrolment(parsed->enrolment_id, "track_removed"); !s.ok()) return s;
    return store_.Drop(touch_id);
  }
  auto req = store_.GetRequest(parsed->enrolment_id);
  if (!req.ok()) return req.status();
  if (!req->has_value()) {
    if (Status s = ExitEnrolment(parsed->enrolment_id, "request_missing"); !s.ok()) return s;
    return store_.Drop(touch_id);
  }
  const auto& contact = (*req)->scored().lead().contact();

  // 1. The contact's CURRENT relationship. A change since enrolment moves the
  // enrolment to a track of the new audience before anything is sent.
  std::optional<leadflow::accounts::v1::AccountState> account;
  auto current = CurrentRelationship(**req, &account);
  if (!current.ok()) return current.status();
  if (e.audience() == cv1::CUSTOMER && !account.has_value()) {
    // The account left the CRM: no customer touch, and no prospect one either.
    metrics_.Touch("suppressed", Reason(cv1::AUDIENCE_MISMATCH));
    if (Status s = ExitEnrolment(parsed->enrolment_id, "account_removed"); !s.ok()) return s;
    return store_.Drop(touch_id);
  }
  if (*current != e.audience() &&
      (e.audience() == cv1::PROSPECT || e.audience() == cv1::CUSTOMER)) {
    metrics_.Touch("suppressed", Reason(cv1::AUDIENCE_MISMATCH));
    if (Status s = Migrate(parsed->enrolment_id, *current); !s.ok()) return s;
    return store_.Drop(touch_id);
  }
  // 2. The wall: the track, the enrolment and the content must all belong to
  // the contact's current audience. Anything else is a blocked violation.
  const auto& step = track->steps(parsed->step);
  const auto* item = policy_->FindContent(step.content_id());
  AudienceVerdict verdict = AudienceGuard::Check(track->audience(), *current);
  if (verdict.allowed && e.audience() != track->audience()) {
    verdict = {false, "enrolment audience differs from the track's"};
  }
  if (verdict.allowed && (item == nullptr || item->audience() != track->audience())) {
    verdict = {false, "content audience differs from the track's"};
  }
  if (!verdict.allowed) {
    metrics_.AudienceViolation();
    metrics_.Touch("suppressed", Reason(cv1::AUDIENCE_MISMATCH));
    log::Error("audience violation blocked before a touch",
               {{"lead_id", e.lead_id()}, {"track", e.track_id()}, {"detail", verdict.detail}});
    if (Status s = ExitEnrolment(parsed->enrolment_id, "audience_violation"); !s.ok()) return s;
    return store_.Drop(touch_id);
  }
  // 3. Unsubscribed contacts get nothing more.
  auto unsub = store_.IsUnsubscribed(e.contact_id());
  if (!unsub.ok()) return unsub.status();
  if (*unsub) {
    metrics_.Touch("suppressed", Reason(cv1::UNSUBSCRIBED));
    if (Status s = ExitEnrolment(parsed->enrolment_id, "unsubscribed"); !s.ok()) return s;
    return store_.Drop(touch_id);
  }
  // 4. Topic suppressed for this account: skip this touch, keep the track.
  auto suppressed = store_.IsSuppressed((*rec)->account_key, item->topic());
  if (!suppressed.ok()) return suppressed.status();
  if (!*suppressed && account.has_value() && account->account_key() != (*rec)->account_key) {
    suppressed = store_.IsSuppressed(account->account_key(), item->topic());
    if (!suppressed.ok()) return suppressed.status();
  }
  if (*suppressed) {
    metrics_.Touch("suppressed", Reason(cv1::TOPIC_SUPPRESSED));
    return FinishTouch(touch_id, false, now_ms);
  }
  // 5. Already on nurture.touches (redelivery after a partial failure).
  auto already = store_.IsSent(touch_id);
  if (!already.ok()) return already.status();
  if (*already) return FinishTouch(touch_id, true, now_ms);
  // 6. Frequency caps across all tracks, and quiet hours in the contact's zone.
  auto sends = store_.RecentSends(e.contact_id(), now_ms);
  if (!sends.ok()) return sends.status();
  for (int64_t t : batch.sends_by_contact[e.contact_id()]) sends->push_back(t);
  const SendDecision when = EarliestSend(now_ms, *sends, policy_->config().caps(),
                                         policy_->config().quiet_hours(), contact.time_zone());
  if (when.at_ms > now_ms) {
    metrics_.Touch("suppressed", Reason(when.reason == HoldReason::kFrequencyCap
                                            ? cv1::FREQUENCY_CAP
                                            : cv1::QUIET_HOURS));
    return store_.Defer(parsed->enrolment_id, parsed->step, touch_id, when.at_ms);
  }

  // 7. Send. The account owner hears of every customer touch with it. The
  // touch stays in flight until Finish (after the batch is flushed), so a crash
  // in between is resolved by Recover() against the log, never re-sent.
  const PlannedTouch planned =
      PlanTouches(*policy_, *track, parsed->enrolment_id, (*rec)->enrolled_ms)[static_cast<size_t>(
          parsed->step)];
  nv1::Touch t;
  t.set_touch_id(touch_id);
  t.set_contact_id(e.contact_id());
  t.set_lead_id(e.lead_id());
  t.set_account_key((*rec)->account_key);
  t.set_audience(e.audience());
  t.set_track_id(e.track_id());
  t.set_step(parsed->step);
  t.set_content_id(planned.content_id);
  t.set_topic(planned.topic);
  t.set_channel(planned.channel);
  SetTs(t.mutable_due_at(), planned.due_ms);
  SetTs(t.mutable_sent_at(), now_ms);
  t.set_trace_id((*rec)->trace_id);
  if (e.audience() == cv1::CUSTOMER) {
    batch.out.push_back(Notification(t, account));
  }
  kafka::OutgoingMessage m;
  m.topic = topics::kNurtureTouches;
  m.key = e.contact_id();
  t.SerializeToString(&m.payload);
  if (!(*rec)->trace_id.empty()) m.headers.push_back({topics::kTraceHeader, (*rec)->trace_id});
  batch.out.push_back(std::move(m));
  batch.sent.push_back(touch_id);
  batch.sends_by_contact[e.contact_id()].push_back(now_ms);
  return Status::Ok();
}

kafka::OutgoingMessage NurtureEngine::Notification(
    const nv1::Touch& t, const std::optional<leadflow::accounts::v1::AccountState>& account) {
  nv1::AccountNotification n;
  n.set_account_key(account.has_value() ? account->account_key() : t.account_key());
  n.set_owner_rep_id(account.has_value() ? account->owner_rep_id() : "");
  n.set_contact_id(t.contact_id());
  n.set_touch_id(t.touch_id());
  n.set_track_id(t.track_id());
  n.set_content_id(t.content_id());
  n.set_topic(t.topic());
  n.set_channel(t.channel());
  *n.mutable_at() = t.sent_at();
  kafka::OutgoingMessage m;
  m.topic = topics::kAccountsNotifications;
  m.key = n.account_key();
  n.SerializeToString(&m.payload);
  return m;
}

StatusOr<int> NurtureEngine::Recover() {
  auto inflight = store_.InFlight();
  if (!inflight.ok()) return inflight.status();
  if (inflight->empty()) return 0;
  std::set<std::string> pending;
  for (const auto& [id, due] : *inflight) pending.insert(id);
  std::set<std::string> in_log;
  std::vector<nv1::Touch> customer_touches;
  if (scan_) {
    Status s = scan_([&](const kafka::ConsumedMessage& m) {
      nv1::Touch t;
      if (t.ParseFromString(m.payload) && pending.count(t.touch_id()) > 0 &&
          in_log.insert(t.touch_id()).second && t.audience() == cv1::CUSTOMER) {
        customer_touches.push_back(t);
      }
    });
    if (!s.ok()) return s;
  }
  // The owner's notification may not have made it: send it again (owners'
  // tools dedupe by touch id).
  for (const auto& t : customer_touches) {
    auto account = registry_.Get(t.account_key());
    if (!account.ok()) return account.status();
    if (Status s = producer_.Produce(Notification(t, *account)); !s.ok()) return s;
  }
  if (!customer_touches.empty()) {
    if (Status s = producer_.Flush(std::chrono::seconds(10)); !s.ok()) return s;
  } else {
    log::Warn("no touch log to recover against: in-flight touches are re-sent");
  }
  const int64_t now_ms = clock_.NowMillis();
  int resolved = 0;
  for (const auto& [id, due] : *inflight) {
    auto sent = store_.IsSent(id);
    if (!sent.ok()) return sent.status();
    if (*sent || in_log.count(id) > 0) {
      if (Status s = FinishTouch(id, true, now_ms); !s.ok()) return s;
    } else {
      if (Status s = store_.Release(id, due); !s.ok()) return s;
    }
    ++resolved;
  }
  log::Info("recovered in-flight touches",
            {{"resolved", std::to_string(resolved)}, {"already_sent", std::to_string(in_log.size())}});
  return resolved;
}

StatusOr<int> NurtureEngine::PollOnce(int limit) {
  const int64_t now_ms = clock_.NowMillis();
  auto due = store_.DueTouches(now_ms, limit);
  if (!due.ok()) return due.status();
  int handled = 0;
  Batch batch;
  for (const auto& touch_id : *due) {
    auto claimed = store_.ClaimTouch(touch_id, now_ms);
    if (!claimed.ok()) return claimed.status();
    if (!*claimed) continue;  // another replica took it
    Status s = ProcessTouch(touch_id, now_ms, batch);
    if (!s.ok()) {
      if (s.code() == StatusCode::kUnavailable) return s;  // stays in flight: Recover()
      log::Error("touch processing failed", {{"touch_id", touch_id}, {"error", s.message()}});
      (void)store_.Release(touch_id, now_ms + 60000);
      continue;
    }
    ++handled;
  }
  if (batch.sent.empty()) return handled;
  for (const auto& m : batch.out) {
    if (Status s = producer_.Produce(m); !s.ok()) {
      return Status::Unavailable("producing touches failed: " + s.message());
    }
  }
  // Possibly delivered even on failure: they stay in flight for Recover().
  if (Status s = producer_.Flush(std::chrono::seconds(10)); !s.ok()) {
    return Status::Unavailable("flushing touches failed: " + s.message());
  }
  for (const auto& touch_id : batch.sent) {
    metrics_.Touch("sent", "none");
    if (Status s = FinishTouch(touch_id, true, now_ms); !s.ok()) return s;
  }
  return handled;
}

void NurtureEngine::RunScheduler(const std::atomic<bool>& stop,
                                 std::chrono::milliseconds interval) {
  bool recovered = false;
  bool leader = lease_owner_.empty();
  while (!stop.load()) {
    if (!lease_owner_.empty()) {
      auto held = store_.HoldSchedulerLease(lease_owner_, lease_ttl_.count());
      const bool now_leader = held.ok() && *held;
      if (now_leader != leader) {
        log::Info(now_leader ? "scheduler lease taken" : "scheduler lease lost",
                  {{"instance", lease_owner_}});
      }
      leader = now_leader;
      if (!leader) {
        recovered = false;  // a new term starts with recovery
        std::this_thread::sleep_for(interval);
        continue;
      }
    }
    if (!recovered) {
      auto r = Recover();
      recovered = r.ok();
      if (!r.ok()) log::Warn("nurture recovery failed", {{"error", r.status().message()}});
    }
    if (recovered) {
      auto n = PollOnce();
      if (!n.ok()) {
        log::Warn("nurture scheduler poll failed", {{"error", n.status().message()}});
        recovered = false;  // in-flight touches are resolved before polling again
      }
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace leadflow::nurture
