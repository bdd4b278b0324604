#include "nurture/app/touch_scheduler.h"

#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "nurture/app/account_notifications.h"
#include "nurture/domain/programme_schedule.h"
#include "nurture/domain/touch_plan.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;

namespace {

void SetTs(google::protobuf::Timestamp* ts, int64_t ms) {
  ts->set_seconds(ms / 1000);
  ts->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

// The step's content, when the track has that step and the catalogue the content.
const leadflow::config::v1::ContentItem* ContentOf(const NurturePolicy& policy,
                                                   const leadflow::config::v1::Track* track,
                                                   int step) {
  if (track == nullptr || step >= track->steps_size()) return nullptr;
  return policy.FindContent(track->steps(step).content_id());
}

// The Touch of `rec`'s step as planned, sent at `now_ms`.
nv1::Touch TouchOf(const std::string& touch_id, const EnrolmentRecord& rec,
                   const PlannedTouch& planned, int step, int64_t now_ms) {
  const auto& e = rec.enrolment;
  nv1::Touch t;
  t.set_touch_id(touch_id);
  t.set_contact_id(e.contact_id());
  t.set_lead_id(e.lead_id());
  t.set_account_key(rec.account_key);
  t.set_audience(e.audience());
  t.set_track_id(e.track_id());
  t.set_step(step);
  t.set_content_id(planned.content_id);
  t.set_topic(planned.topic);
  t.set_channel(planned.channel);
  SetTs(t.mutable_due_at(), planned.due_ms);
  SetTs(t.mutable_sent_at(), now_ms);
  t.set_trace_id(rec.trace_id);
  if (auto programme = ParseProgrammeLeadId(e.lead_id())) {
    t.set_programme_id(programme->programme_id);
  }
  return t;
}

}  // namespace

StatusOr<int> TouchScheduler::PollOnce(int limit) {
  const int64_t now_ms = clock_.NowMillis();
  // Nothing due (the idle scheduler): one read, no script, no lease renewal.
  auto any = store_.touches().AnyDue(now_ms);
  if (!any.ok()) return any.status();
  if (!*any) return 0;
  // Work to do: the lease is renewed in Redis first, never taken on the
  // cached word alone (scheduler_lease.h); a lost lease claims nothing.
  auto held = store_.lease().Confirm();
  if (!held.ok()) return held.status();
  if (!*held) return 0;
  // Claim the due touches in one script run; a failed claim stops the poll
  // (what was claimed stays in flight for Recover()).
  auto due = store_.touches().ClaimDue(now_ms, limit);
  if (!due.ok()) return due.status();
  if (due->empty()) return 0;
  const std::vector<std::string>& claimed = *due;
  const std::vector<TouchInputs> inputs = LoadTouchInputs(claimed, now_ms);
  int handled = 0;
  Batch batch;
  for (size_t i = 0; i < claimed.size(); ++i) {
    const std::string& touch_id = claimed[i];
    Status s = ProcessTouch(touch_id, inputs[i], now_ms, batch);
    if (!s.ok()) {
      if (s.code() == StatusCode::kUnavailable) return s;  // stays in flight: Recover()
      log::Error("touch processing failed", {{"touch_id", touch_id}, {"error", s.message()}});
      (void)store_.touches().Release(touch_id, now_ms + 60000);
      continue;
    }
    ++handled;
  }
  // Deferred touches go back to the due set together; a failure leaves them
  // (and the unsent ones) in flight for Recover().
  if (Status s = store_.touches().DeferMany(batch.deferred); !s.ok()) return s;
  if (batch.sent.empty()) return handled;
  if (Status s = Flush(batch); !s.ok()) return s;
  for (size_t i = 0; i < batch.sent.size(); ++i) metrics_.Touch("sent", "none");
  if (Status s = finisher_.FinishAll(batch.sent); !s.ok()) return s;
  return handled;
}

Status TouchScheduler::Flush(const Batch& batch) {
  for (const auto& m : batch.out) {
    if (Status s = producer_.Produce(m); !s.ok()) {
      return Status::Unavailable("producing touches failed: " + s.message());
    }
  }
  // Possibly delivered even on failure: they stay in flight for Recover().
  if (Status s = producer_.Flush(std::chrono::seconds(10)); !s.ok()) {
    return Status::Unavailable("flushing touches failed: " + s.message());
  }
  return Status::Ok();
}

std::vector<TouchScheduler::TouchInputs> TouchScheduler::LoadTouchInputs(
    const std::vector<std::string>& touch_ids, int64_t now_ms) {
  std::vector<TouchInputs> inputs(touch_ids.size());
  // 1. Enrolment, request and sent marker of every touch.
  auto states = store_.checks().LoadTouchStates(touch_ids);
  for (size_t i = 0; i < touch_ids.size(); ++i) inputs[i].state = std::move(states[i]);
  // 2. The contacts' current relationships (the registry view).
  LoadAccounts(inputs);
  // 3. Unsubscribe, topic suppression and recent sends of each contact whose
  // touch can get that far.
  LoadContactChecks(touch_ids, inputs, now_ms);
  return inputs;
}

void TouchScheduler::LoadAccounts(std::vector<TouchInputs>& inputs) {
  std::vector<registry::AccountRegistry::ContactKeys> lookups;
  std::vector<size_t> lookup_of;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].state.ok() || !inputs[i].state->request.has_value()) continue;
    const auto& lead = inputs[i].state->request->scored().lead();
    if (ParseProgrammeLeadId(lead.meta().lead_id())) {
      // A programme's touch addresses the account itself: looked up by its key.
      inputs[i].account = registry_.Get(lead.meta().account_key());
      continue;
    }
    lookups.push_back({lead.contact().email(), lead.company().domain(), lead.company().inn()});
    lookup_of.push_back(i);
  }
  auto accounts = registry_.LookupMany(lookups);
  for (size_t k = 0; k < lookup_of.size(); ++k) {
    inputs[lookup_of[k]].account = std::move(accounts[k]);
  }
}

void TouchScheduler::LoadContactChecks(const std::vector<std::string>& touch_ids,
                                       std::vector<TouchInputs>& inputs, int64_t now_ms) {
  std::vector<ContactCheckQuery> queries;
  std::vector<size_t> query_of;
  for (size_t i = 0; i < touch_ids.size(); ++i) {
    const TouchInputs& in = inputs[i];
    if (!in.state.ok() || !in.state->record.has_value() || !in.account.has_value() ||
        !in.account->ok()) {
      continue;
    }
    const EnrolmentRecord& rec = *in.state->record;
    const auto parsed = ParseTouchId(touch_ids[i]);
    if (!parsed) continue;
    const auto* item =
        ContentOf(*policy_, policy_->FindTrack(rec.enrolment.track_id()), parsed->step);
    if (item == nullptr) continue;
    ContactCheckQuery q;
    q.contact_id = rec.enrolment.contact_id();
    q.accounts.push_back(rec.account_key);
    const Account& account = **in.account;
    if (account.has_value() && account->account_key() != rec.account_key) {
      q.accounts.push_back(account->account_key());
    }
    q.topic = item->topic();
    q.now_ms = now_ms;
    queries.push_back(std::move(q));
    query_of.push_back(i);
  }
  auto checks = store_.checks().LoadContactChecks(queries);
  for (size_t k = 0; k < query_of.size(); ++k) inputs[query_of[k]].checks = std::move(checks[k]);
}

Status TouchScheduler::ProcessTouch(const std::string& touch_id, const TouchInputs& in,
                                    int64_t now_ms, Batch& batch) {
  auto parsed = ParseTouchId(touch_id);
  if (!parsed) {
    log::Warn("malformed touch id in the due set", {{"touch_id", touch_id}});
    return store_.touches().Drop(touch_id);
  }
  if (!in.state.ok()) return in.state.status();
  // An enrolment that is gone, ended or moved on to another step drops the touch.
  const auto& record = in.state->record;
  if (!record.has_value() || record->enrolment.state() != nv1::ACTIVE_ENROLMENT ||
      record->enrolment.next_step() != parsed->step) {
    return store_.touches().Drop(touch_id);
  }
  ContactFacts contact;
  const TouchFacts facts = FactsOf(*parsed, in, batch, contact);
  return Act(DecideTouch(facts, policy_->config(), now_ms), touch_id, *parsed, in, now_ms, batch);
}

TouchFacts TouchScheduler::FactsOf(const ParsedTouchId& parsed, const TouchInputs& in, Batch& batch,
                                   ContactFacts& contact) const {
  const TouchState& state = *in.state;
  const auto& e = state.record->enrolment;
  TouchFacts f;
  f.step = parsed.step;
  f.enrolment_audience = e.audience();
  f.track = policy_->FindTrack(e.track_id());
  f.content = ContentOf(*policy_, f.track, parsed.step);
  f.request_found = state.request.has_value();
  f.account_read = in.account.has_value() && in.account->ok();
  if (f.account_read) {
    const Account& account = **in.account;
    f.account_found = account.has_value();
    f.current =
        f.account_found && account->relationship() == cv1::CUSTOMER ? cv1::CUSTOMER : cv1::PROSPECT;
  }
  f.already_sent = state.already_sent;
  if (in.checks.has_value() && in.checks->ok()) {
    const ContactChecks& checks = **in.checks;
    contact.unsubscribed = checks.unsubscribed;
    contact.suppressed = checks.suppressed;
    // Caps count this poll's earlier sends too.
    contact.sends_ms = checks.recent_sends;
    for (int64_t t : batch.sends_by_contact[e.contact_id()]) contact.sends_ms.push_back(t);
    if (state.request.has_value()) {
      contact.time_zone = state.request->scored().lead().contact().time_zone();
    }
    f.contact = &contact;
  }
  return f;
}

Status TouchScheduler::Act(const TouchVerdict& v, const std::string& touch_id,
                           const ParsedTouchId& parsed, const TouchInputs& in, int64_t now_ms,
                           Batch& batch) {
  const TouchState& state = *in.state;
  if (v.violation) {
    metrics_.AudienceViolation();
    log::Error("audience violation blocked before a touch",
               {{"lead_id", state.record->enrolment.lead_id()},
                {"track", state.record->enrolment.track_id()},
                {"detail", v.detail}});
  }
  if (v.suppressed != cv1::REASON_UNSPECIFIED) {
    metrics_.Touch("suppressed", cv1::ReasonCode_Name(v.suppressed));
  }
  switch (v.outcome) {
    case TouchOutcome::kNeedsAccount:
      if (!in.account.has_value()) return Status::Internal("touch inputs: no registry lookup");
      return in.account->status();
    case TouchOutcome::kNeedsContact:
      if (!in.checks.has_value()) return Status::Internal("touch inputs: no contact checks");
      return in.checks->status();
    case TouchOutcome::kExit:
    case TouchOutcome::kMigrate: {
      Status s = v.outcome == TouchOutcome::kExit ? exits_.Exit(parsed.enrolment_id, v.exit_reason)
                                                  : exits_.Migrate(parsed.enrolment_id, v.move_to);
      return s.ok() ? store_.touches().Drop(touch_id) : s;
    }
    case TouchOutcome::kSkip:
    case TouchOutcome::kAlreadySent:
      return finisher_.FinishAll({finisher_.FinishFor(
          touch_id, parsed, state.record, v.outcome == TouchOutcome::kAlreadySent, now_ms)});
    case TouchOutcome::kDefer:
      batch.deferred.push_back({parsed.enrolment_id, parsed.step, touch_id, v.defer_to_ms});
      return Status::Ok();
    case TouchOutcome::kSend:
      Send(touch_id, parsed, state, **in.account, now_ms, batch);
      return Status::Ok();
  }
  return Status::Internal("unknown touch outcome");
}

void TouchScheduler::Send(const std::string& touch_id, const ParsedTouchId& parsed,
                          const TouchState& state, const Account& account, int64_t now_ms,
                          Batch& batch) {
  // The account owner hears of every customer touch with it. The touch stays
  // in flight until finished (after the poll's sends are flushed), so a crash
  // in between is resolved by Recover() against the log, never re-sent.
  const EnrolmentRecord& rec = *state.record;
  const auto& e = rec.enrolment;
  const auto* track = policy_->FindTrack(e.track_id());
  const PlannedTouch planned = PlanTouches(*policy_, *track, parsed.enrolment_id,
                                           rec.enrolled_ms)[static_cast<size_t>(parsed.step)];
  const nv1::Touch t = TouchOf(touch_id, rec, planned, parsed.step, now_ms);
  if (e.audience() == cv1::CUSTOMER) batch.out.push_back(TouchSentNotification(t, account));
  kafka::OutgoingMessage m;
  m.topic = topics::kNurtureTouches;
  m.key = e.contact_id();
  t.SerializeToString(&m.payload);
  if (!rec.trace_id.empty()) m.headers.push_back({topics::kTraceHeader, rec.trace_id});
  batch.out.push_back(std::move(m));
  batch.sent.push_back(finisher_.FinishFor(touch_id, parsed, state.record, true, now_ms));
  batch.sends_by_contact[e.contact_id()].push_back(now_ms);
}

}  // namespace leadflow::nurture
