// NurtureEngine's touch scheduler (see nurture_engine.h): PollOnce claims the
// due touches (one script run) and reads everything their checks need in a
// few round trips for the whole poll (enrolment state, registry view, contact
// checks), decides each touch in order exactly as before, produces the sends,
// flushes, and finishes them in one script run.
#include <set>
#include <thread>

#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "nurture/app/nurture_engine.h"
#include "nurture/domain/audience_guard.h"
#include "nurture/domain/programme_schedule.h"
#include "nurture/domain/send_window.h"
#include "nurture/domain/touch_plan.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;

namespace {

void SetTs(google::protobuf::Timestamp* ts, int64_t ms) {
  ts->set_seconds(ms / 1000);
  ts->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

std::string Reason(cv1::ReasonCode r) { return cv1::ReasonCode_Name(r); }

// How often the programmes look for due accounts when the config does not say.
constexpr int64_t kDefaultProgrammeScanSeconds = 3600;

}  // namespace

FinishArgs NurtureEngine::FinishFor(const std::string& touch_id, const ParsedTouchId& parsed,
                                    const std::optional<EnrolmentRecord>& rec, bool sent,
                                    int64_t now_ms) const {
  FinishArgs f;
  f.enrolment_id = parsed.enrolment_id;
  f.touch_id = touch_id;
  f.expected_step = parsed.step;
  f.sent = sent;
  f.sent_ms = now_ms;
  if (rec.has_value()) {  // the keys the enrolment's end touches (nurture_store.h)
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

Status NurtureEngine::FinishAll(const std::vector<FinishArgs>& finishes) {
  const auto advanced = store_.FinishMany(finishes);
  for (size_t i = 0; i < finishes.size(); ++i) {
    if (!advanced[i].ok()) return advanced[i].status();
    if (*advanced[i] && finishes[i].next_touch_id.empty()) metrics_.Exited("completed");
  }
  return Status::Ok();
}

Status NurtureEngine::FinishTouch(const std::string& touch_id, bool sent, int64_t now_ms) {
  auto parsed = ParseTouchId(touch_id);
  if (!parsed) return store_.Drop(touch_id);
  auto rec = store_.Get(parsed->enrolment_id);
  if (!rec.ok()) return rec.status();
  return FinishAll({FinishFor(touch_id, *parsed, *rec, sent, now_ms)});
}

std::vector<NurtureEngine::TouchInputs> NurtureEngine::LoadTouchInputs(
    const std::vector<std::string>& touch_ids, int64_t now_ms) {
  std::vector<TouchInputs> inputs(touch_ids.size());
  // 1. Enrolment, request and sent marker of every touch.
  auto states = store_.LoadTouchStates(touch_ids);
  // 2. The contacts' current relationships (the registry view).
  std::vector<registry::AccountRegistry::ContactKeys> lookups;
  std::vector<size_t> lookup_of;
  for (size_t i = 0; i < touch_ids.size(); ++i) {
    inputs[i].state = std::move(states[i]);
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
  for (size_t k = 0; k < lookup_of.size(); ++k)
    inputs[lookup_of[k]].account = std::move(accounts[k]);
  // 3. Unsubscribe, topic suppression and recent sends of each contact whose
  // touch can get that far.
  std::vector<ContactCheckQuery> queries;
  std::vector<size_t> query_of;
  for (size_t i = 0; i < touch_ids.size(); ++i) {
    const TouchInputs& in = inputs[i];
    if (!in.state.ok() || !in.state->record.has_value() || !in.account.has_value() ||
        !in.account->ok()) {
      continue;
    }
    const EnrolmentRecord& rec = *in.state->record;
    const auto* track = policy_->FindTrack(rec.enrolment.track_id());
    const auto parsed = ParseTouchId(touch_ids[i]);
    if (track == nullptr || !parsed || parsed->step >= track->steps_size()) continue;
    const auto* item = policy_->FindContent(track->steps(parsed->step).content_id());
    if (item == nullptr) continue;
    ContactCheckQuery q;
    q.contact_id = rec.enrolment.contact_id();
    q.accounts.push_back(rec.account_key);
    const auto& account = **in.account;
    if (account.has_value() && account->account_key() != rec.account_key) {
      q.accounts.push_back(account->account_key());
    }
    q.topic = item->topic();
    q.now_ms = now_ms;
    queries.push_back(std::move(q));
    query_of.push_back(i);
  }
  auto checks = store_.LoadContactChecks(queries);
  for (size_t k = 0; k < query_of.size(); ++k) inputs[query_of[k]].checks = std::move(checks[k]);
  return inputs;
}

Status NurtureEngine::ProcessTouch(const std::string& touch_id, const TouchInputs& in,
                                   int64_t now_ms, Batch& batch) {
  auto parsed = ParseTouchId(touch_id);
  if (!parsed) {
    log::Warn("malformed touch id in the due set", {{"touch_id", touch_id}});
    return store_.Drop(touch_id);
  }
  if (!in.state.ok()) return in.state.status();
  const TouchState& state = *in.state;
  if (!state.record.has_value()) return store_.Drop(touch_id);
  const EnrolmentRecord& rec = *state.record;
  const auto& e = rec.enrolment;
  if (e.state() != nv1::ACTIVE_ENROLMENT || e.next_step() != parsed->step) {
    return store_.Drop(touch_id);
  }
  const auto* track = policy_->FindTrack(e.track_id());
  if (track == nullptr || parsed->step >= track->steps_size()) {
    if (Status s = ExitEnrolment(parsed->enrolment_id, "track_removed"); !s.ok()) return s;
    return store_.Drop(touch_id);
  }
  if (!state.request.has_value()) {
    if (Status s = ExitEnrolment(parsed->enrolment_id, "request_missing"); !s.ok()) return s;
    return store_.Drop(touch_id);
  }
  const auto& contact = state.request->scored().lead().contact();

  // 1. The contact's CURRENT relationship. A change since enrolment moves the
  // enrolment to a track of the new audience before anything is sent.
  if (!in.account.has_value()) return Status::Internal("touch inputs: no registry lookup");
  if (!in.account->ok()) return in.account->status();
  const std::optional<leadflow::accounts::v1::AccountState>& account = **in.account;
  const cv1::Relationship current = account.has_value() && account->relationship() == cv1::CUSTOMER
                                        ? cv1::CUSTOMER
                                        : cv1::PROSPECT;
  if (e.audience() == cv1::CUSTOMER && !account.has_value()) {
    // The account left the CRM: no customer touch, and no prospect one either.
    metrics_.Touch("suppressed", Reason(cv1::AUDIENCE_MISMATCH));
    if (Status s = ExitEnrolment(parsed->enrolment_id, "account_removed"); !s.ok()) return s;
    return store_.Drop(touch_id);
  }
  if (current != e.audience() && (e.audience() == cv1::PROSPECT || e.audience() == cv1::CUSTOMER)) {
    metrics_.Touch("suppressed", Reason(cv1::AUDIENCE_MISMATCH));
    if (Status s = Migrate(parsed->enrolment_id, current); !s.ok()) return s;
    return store_.Drop(touch_id);
  }
  // 2. The wall: the track, the enrolment and the content must all belong to
  // the contact's current audience. Anything else is a blocked violation.
  const auto& step = track->steps(parsed->step);
  const auto* item = policy_->FindContent(step.content_id());
  AudienceVerdict verdict = AudienceGuard::Check(track->audience(), current);
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
  if (!in.checks.has_value()) return Status::Internal("touch inputs: no contact checks");
  if (!in.checks->ok()) return in.checks->status();
  const ContactChecks& checks = **in.checks;
  // 3. Unsubscribed contacts get nothing more.
  if (checks.unsubscribed) {
    metrics_.Touch("suppressed", Reason(cv1::UNSUBSCRIBED));
    if (Status s = ExitEnrolment(parsed->enrolment_id, "unsubscribed"); !s.ok()) return s;
    return store_.Drop(touch_id);
  }
  // 4. Topic suppressed for this account (the enrolment's or the current
  // one): skip this touch, keep the track.
  if (checks.suppressed) {
    metrics_.Touch("suppressed", Reason(cv1::TOPIC_SUPPRESSED));
    return FinishAll({FinishFor(touch_id, *parsed, state.record, false, now_ms)});
  }
  // 5. Already on nurture.touches (redelivery after a partial failure).
  if (state.already_sent) {
    return FinishAll({FinishFor(touch_id, *parsed, state.record, true, now_ms)});
  }
  // 6. Frequency caps across all tracks (this poll's sends included), and
  // quiet hours in the contact's zone.
  std::vector<int64_t> sends = checks.recent_sends;
  for (int64_t t : batch.sends_by_contact[e.contact_id()]) sends.push_back(t);
  const SendDecision when = EarliestSend(now_ms, sends, policy_->config().caps(),
                                         policy_->config().quiet_hours(), contact.time_zone());
  if (when.at_ms > now_ms) {
    metrics_.Touch(
        "suppressed",
        Reason(when.reason == HoldReason::kFrequencyCap ? cv1::FREQUENCY_CAP : cv1::QUIET_HOURS));
    batch.deferred.push_back({parsed->enrolment_id, parsed->step, touch_id, when.at_ms});
    return Status::Ok();
  }

  // 7. Send. The account owner hears of every customer touch with it. The
  // touch stays in flight until finished (after the poll's sends are
  // flushed), so a crash in between is resolved by Recover() against the log,
  // never re-sent.
  const PlannedTouch planned = PlanTouches(*policy_, *track, parsed->enrolment_id,
                                           rec.enrolled_ms)[static_cast<size_t>(parsed->step)];
  nv1::Touch t;
  t.set_touch_id(touch_id);
  t.set_contact_id(e.contact_id());
  t.set_lead_id(e.lead_id());
  t.set_account_key(rec.account_key);
  t.set_audience(e.audience());
  t.set_track_id(e.track_id());
  t.set_step(parsed->step);
  t.set_content_id(planned.content_id);
  t.set_topic(planned.topic);
  t.set_channel(planned.channel);
  SetTs(t.mutable_due_at(), planned.due_ms);
  SetTs(t.mutable_sent_at(), now_ms);
  t.set_trace_id(rec.trace_id);
  if (auto programme = ParseProgrammeLeadId(e.lead_id()))
    t.set_programme_id(programme->programme_id);
  if (e.audience() == cv1::CUSTOMER) {
    batch.out.push_back(Notification(t, account));
  }
  kafka::OutgoingMessage m;
  m.topic = topics::kNurtureTouches;
  m.key = e.contact_id();
  t.SerializeToString(&m.payload);
  if (!rec.trace_id.empty()) m.headers.push_back({topics::kTraceHeader, rec.trace_id});
  batch.out.push_back(std::move(m));
  batch.sent.push_back(FinishFor(touch_id, *parsed, state.record, true, now_ms));
  batch.sends_by_contact[e.contact_id()].push_back(now_ms);
  return Status::Ok();
}

kafka::OutgoingMessage NurtureEngine::Notification(
    const nv1::Touch& t, const std::optional<leadflow::accounts::v1::AccountState>& account) {
  nv1::AccountNotification n;
  n.set_kind(nv1::TOUCH_SENT);
  n.set_programme_id(t.programme_id());
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
  log::Info("recovered in-flight touches", {{"resolved", std::to_string(resolved)},
                                            {"already_sent", std::to_string(in_log.size())}});
  return resolved;
}

StatusOr<int> NurtureEngine::PollOnce(int limit) {
  const int64_t now_ms = clock_.NowMillis();
  // Claim the due touches in one script run; a failed claim stops the poll
  // (what was claimed stays in flight for Recover()).
  auto due = store_.ClaimDue(now_ms, limit);
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
      (void)store_.Release(touch_id, now_ms + 60000);
      continue;
    }
    ++handled;
  }
  // Deferred touches go back to the due set together; a failure leaves them
  // (and the unsent ones) in flight for Recover().
  if (Status s = store_.DeferMany(batch.deferred); !s.ok()) return s;
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
  for (size_t i = 0; i < batch.sent.size(); ++i) metrics_.Touch("sent", "none");
  if (Status s = FinishAll(batch.sent); !s.ok()) return s;
  return handled;
}

void NurtureEngine::RunScheduler(const std::atomic<bool>& stop,
                                 std::chrono::milliseconds interval) {
  bool recovered = false;
  bool leader = lease_owner_.empty();
  int64_t next_programme_scan_ms = 0;  // at once when a term starts
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
        next_programme_scan_ms = 0;
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
    if (programmes_ != nullptr && !policy_->config().programmes().empty() &&
        clock_.NowMillis() >= next_programme_scan_ms) {
      const int64_t scan_s = policy_->config().programme_scan_seconds() > 0
                                 ? policy_->config().programme_scan_seconds()
                                 : kDefaultProgrammeScanSeconds;
      auto due = EnrolProgrammes();
      if (!due.ok()) {
        log::Warn("programme enrolment failed; retried", {{"error", due.status().message()}});
      } else if (*due > 0) {
        log::Info("programme cycles due", {{"cycles", std::to_string(*due)}});
      }
      // A failure (e.g. the registry view rebuilding) is retried sooner.
      next_programme_scan_ms = clock_.NowMillis() + (due.ok() ? scan_s * 1000 : scan_s * 100);
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace leadflow::nurture
