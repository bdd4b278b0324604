#include "routing/app/routing_scheduler.h"

#include <algorithm>
#include <set>

#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "routing/app/decision_record.h"
#include "routing/app/routing_outputs.h"
#include "routing/domain/business_time.h"
#include "routing/domain/deal_stages.h"
#include "routing/domain/sales_state.h"
#include "routing/domain/sla_ladder.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

namespace {

constexpr int kBatch = 200;
// A team queue's first read in a tick (DrainQueue).
constexpr int kQueuePage = 8;
constexpr auto kPublishTimeout = std::chrono::seconds(5);

void Step(rv1::Decision* d, const std::string& rule, bool matched, const std::string& detail) {
  auto* s = d->add_path();
  s->set_rule_id(rule);
  s->set_matched(matched);
  s->set_detail(detail);
}

bool HeldByRep(rv1::RoutingOutcome o) {
  return o == rv1::ASSIGNED || o == rv1::NAMED_OWNER || o == rv1::REASSIGNED;
}

Status FirstError(const Status& a, const Status& b) { return a.ok() ? b : a; }

// A lead's own failure in a pass: kept in `first` (when it is the first), so
// the pass goes on with the next lead; Ok, to return from the lead's step.
Status KeepFirst(Status& first, const Status& s) {
  first = FirstError(first, s);
  return Status::Ok();
}

int64_t MillisOf(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// An event about `meta`'s lead, keyed by its lead id, with its trace id.
kafka::OutgoingMessage EventOf(const char* topic, const std::string& lead_id, std::string payload,
                               const leadflow::common::v1::LeadMeta& meta) {
  kafka::OutgoingMessage m;
  m.topic = topic;
  m.key = lead_id;
  m.payload = std::move(payload);
  if (!meta.trace_id().empty()) m.headers.push_back({topics::kTraceHeader, meta.trace_id()});
  return m;
}

}  // namespace

RoutingScheduler::RoutingScheduler(std::shared_ptr<const RoutingPolicy> policy, RepPicker& picker,
                                   RoutingStore& store, kafka::Producer& producer,
                                   AssignmentBroadcaster& broadcaster, RoutingMetrics& metrics,
                                   const Clock& clock, SlaLadderStore* ladder)
    : policy_(std::move(policy)),
      picker_(picker),
      store_(store),
      producer_(producer),
      broadcaster_(broadcaster),
      metrics_(metrics),
      clock_(clock),
      ladder_(ladder) {
  for (const auto& team : policy_->rules().teams()) any_ladder_ |= team.has_sla_ladder();
}

void RoutingScheduler::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void RoutingScheduler::Run(const std::atomic<bool>& stop) {
  const auto tick = std::chrono::milliseconds(policy_->scheduler_tick_ms());
  while (!stop.load()) {
    if (Status s = Tick(); !s.ok()) {
      log::Warn("routing scheduler tick failed", {{"error", s.message()}});
    }
    std::unique_lock lock(mu_);
    // Short waits keep shutdown prompt whatever tick_ms is.
    const auto deadline = std::chrono::steady_clock::now() + tick;
    while (!woken_ && !stop.load() && std::chrono::steady_clock::now() < deadline) {
      cv_.wait_for(lock, std::min<std::chrono::milliseconds>(tick, std::chrono::milliseconds(200)));
    }
    woken_ = false;
  }
}

Status RoutingScheduler::Tick() {
  const auto now = clock_.Now();
  Status s = ResendOutbox(clock_.NowMillis());
  // The ladder before the expiry: a reminder due in the same tick goes first.
  s = FirstError(s, RunSlaLadder(clock_.NowMillis()));
  s = FirstError(s, ExpireSlaTimers(now));
  std::optional<RepStateView> reps;  // read once, by the first step that needs it
  s = FirstError(s, DrainQueues(now, reps));
  s = FirstError(s, FireStalls(clock_.NowMillis()));
  s = FirstError(s, RefreshGauges(now, reps));
  s = FirstError(s, RefreshPipeline(clock_.NowMillis()));
  return s;
}

Status RoutingScheduler::RefreshPipeline(int64_t now_ms) {
  if (pipeline_at_ms_ != 0 && now_ms - pipeline_at_ms_ < kPipelineRefreshMs) return Status::Ok();
  // A state being rebuilt (or lost) has no totals: keep the last ones.
  if (auto ready = store_.snapshots.Read({}, {}, nullptr); !ready.ok()) return ready.status();
  std::set<std::string> reps;
  for (const auto& team : policy_->rules().teams()) {
    for (const auto& rep : team.reps()) reps.insert(rep.rep_id());
  }
  std::vector<std::string> leads;
  std::set<std::string> seen;
  for (const auto& rep : reps) {
    auto open = store_.rep_loads.OpenLeads(rep);
    if (!open.ok()) return open.status();
    for (auto& id : *open) {
      if (seen.insert(id).second) leads.push_back(std::move(id));
    }
  }
  std::vector<OpenDeal> deals;
  const size_t batch = static_cast<size_t>(kBatch);
  for (size_t at = 0; at < leads.size(); at += batch) {
    const std::vector<std::string> chunk(
        leads.begin() + static_cast<std::ptrdiff_t>(at),
        leads.begin() + static_cast<std::ptrdiff_t>(std::min(leads.size(), at + batch)));
    auto tags = store_.sales_feedback.TagsMany(chunk);
    if (!tags.ok()) return tags.status();
    std::vector<std::string> staged;
    std::vector<FeedbackTags> staged_tags;
    for (size_t i = 0; i < chunk.size(); ++i) {
      if ((*tags)[i].stage.empty()) continue;
      staged.push_back(chunk[i]);
      staged_tags.push_back(std::move((*tags)[i]));
    }
    if (staged.empty()) continue;
    auto snap = store_.snapshots.Read(staged, {}, nullptr);
    if (!snap.ok()) return snap.status();
    for (size_t i = 0; i < staged.size(); ++i) {
      if (!snap->decisions[i].has_value()) continue;
      auto stored = DecisionLog::Parse(staged[i], std::move(*snap->decisions[i]));
      if (!stored.ok()) return stored.status();
      if (auto deal = OpenDealOf(stored->record, staged_tags[i])) deals.push_back(*deal);
    }
  }
  for (const auto& [key, totals] : SumPipeline(deals, pipeline_reported_)) {
    metrics_.PipelineValue(key.first, key.second, totals.value_rub, totals.weighted_rub);
    pipeline_reported_.insert(key);
  }
  pipeline_at_ms_ = now_ms;
  return Status::Ok();
}

Status RoutingScheduler::LoadRepsOnce(std::chrono::system_clock::time_point now,
                                      std::optional<RepStateView>& reps) {
  if (reps.has_value()) return Status::Ok();
  auto loaded = picker_.LoadReps(now);
  if (!loaded.ok()) return loaded.status();
  reps = std::move(*loaded);
  return Status::Ok();
}

Status RoutingScheduler::RefreshGauges(std::chrono::system_clock::time_point now,
                                       std::optional<RepStateView>& reps) {
  for (const auto& [id, calendar] : policy_->holiday_calendars()) {
    metrics_.HolidayCalendarRemaining(
        id, std::chrono::duration<double>(calendar.CoveredUntil() - now).count());
  }
  if (Status s = LoadRepsOnce(now, reps); !s.ok()) return s;
  for (const auto& team : policy_->rules().teams()) {
    for (const auto& rep : team.reps()) {
      const RepState s = reps->Get(rep.rep_id());
      metrics_.RepOpenLeads(team.team_id(), rep.rep_id(), s.open_leads);
      metrics_.RepTodayLeads(team.team_id(), rep.rep_id(), s.today_count);
      metrics_.RepAvailable(team.team_id(), rep.rep_id(), RepStateView::IsAvailable(s, now));
    }
    auto depth = store_.queues.Depth(team.team_id());
    if (!depth.ok()) return depth.status();
    metrics_.QueueDepth(team.team_id(), static_cast<double>(*depth));
  }
  return Status::Ok();
}

Status RoutingScheduler::Emit(const rv1::LeadAssigned& record) {
  const auto& meta = record.scored().lead().meta();
  if (meta.relationship() != cv1::PROSPECT) {
    // The wall: leads.assigned carries prospects only. Never reached (only
    // prospects are queued or timed); counted like every blocked attempt.
    log::Error("scheduler refused a non-prospect assignment", {{"trace_id", meta.trace_id()}});
    return store_.outbox.Emitted(meta.lead_id());
  }
  auto m = MakeEvent(topics::kLeadsAssigned, meta, meta.lead_id(), record);
  if (Status s = producer_.ProduceAndWait(m, kPublishTimeout); !s.ok()) return s;
  // The ladder's last step rides on the outbox: re-sent with the assignment.
  if (ladder_ != nullptr && record.decision().outcome() == rv1::REASSIGNED &&
      SlaLadderOf(*policy_, record.decision().team()) != nullptr) {
    const int64_t at = ToMillis(record.decision().decided_at());
    if (Status s = PublishStep(record, rv1::SLA_STEP_REASSIGNED, at, at); !s.ok()) return s;
  }
  broadcaster_.Publish(record);
  return store_.outbox.Emitted(meta.lead_id());
}

Status RoutingScheduler::ResendOutbox(int64_t now_ms) {
  auto due = store_.outbox.Due(now_ms - policy_->outbox_resend_ms(), kBatch);
  if (!due.ok()) return due.status();
  Status first;
  for (const auto& lead_id : *due) {
    auto rec = store_.decisions.Get(lead_id);
    if (!rec.ok()) return rec.status();
    // A slim record's lead was closed or rejected meanwhile: nothing to announce.
    if (!rec->has_value() || !HeldByRep((*rec)->record.decision().outcome()) ||
        IsSlim((*rec)->record)) {
      first = FirstError(first, store_.outbox.Emitted(lead_id));
      continue;
    }
    first = FirstError(first, Emit((*rec)->record));
  }
  return first;
}

Status RoutingScheduler::ForEachDue(LeadTimers& timers, int64_t now_ms, const FireTimer& fire) {
  auto due = timers.Due(now_ms, kBatch);
  if (!due.ok()) return due.status();
  Status first;
  for (const auto& [lead_id, due_ms] : *due) {
    if (Status s = fire(lead_id, due_ms, first); !s.ok()) return s;
  }
  return first;
}

Status RoutingScheduler::ExpireSlaTimers(std::chrono::system_clock::time_point now) {
  return ForEachDue(store_.sla_timers, MillisOf(now),
                    [&](const std::string& lead_id, int64_t due_ms, Status& first) {
                      return ExpireSlaTimer(lead_id, due_ms, now, first);
                    });
}

Status RoutingScheduler::ExpireSlaTimer(const std::string& lead_id, int64_t due_ms,
                                        std::chrono::system_clock::time_point now, Status& first) {
  auto stored = store_.decisions.Get(lead_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return KeepFirst(first, store_.sla_timers.Stop(lead_id));
  const rv1::LeadAssigned& rec = (*stored)->record;
  const auto& d = rec.decision();
  const auto stop = [&] {
    return KeepFirst(first, store_.sla_timers.CompareAndSet(lead_id, due_ms, 0));
  };
  if (IsSlim(rec)) return stop();  // closed or rejected meanwhile: no timer runs any more
  const bool first_expiry = due_ms == ToMillis(rec.sla_due_at());
  if (d.outcome() == rv1::QUEUED) {
    // Still waiting for capacity: the breach is counted; the lead keeps its
    // place and is assigned by the drain below as soon as a rep is free.
    if (first_expiry) metrics_.SlaBreach(d.team(), "queued");
    return stop();
  }
  if (!HeldByRep(d.outcome())) return stop();
  const int64_t now_ms = MillisOf(now);
  if (first_expiry) {
    auto escalated = Escalate(rec, due_ms, now_ms);
    if (!escalated.ok()) return KeepFirst(first, escalated.status());
    if (*escalated) return Status::Ok();  // re-assigned at the grace end
    metrics_.SlaBreach(d.team(), "assigned");
  }
  const int64_t retry_ms = now_ms + int64_t{policy_->sla_retry_seconds()} * 1000;
  const auto* team = policy_->FindTeam(d.team());
  if (team == nullptr) {
    return KeepFirst(first, store_.sla_timers.CompareAndSet(lead_id, due_ms, retry_ms));
  }
  return Reassign(**stored, *team, due_ms, retry_ms, now, first);
}

Status RoutingScheduler::Reassign(const StoredDecision& stored,
                                  const leadflow::config::v1::Team& team, int64_t due_ms,
                                  int64_t retry_ms, std::chrono::system_clock::time_point now,
                                  Status& first) {
  const rv1::LeadAssigned& rec = stored.record;
  const auto& d = rec.decision();
  const std::string& lead_id = rec.scored().lead().meta().lead_id();
  const int64_t now_ms = MillisOf(now);
  std::set<std::string> exclude(rec.previous_reps().begin(), rec.previous_reps().end());
  exclude.insert(d.rep_id());

  auto reps = picker_.LoadReps(now);
  if (!reps.ok()) return reps.status();
  rv1::LeadAssigned next = rec;
  auto* nd = next.mutable_decision();
  nd->set_outcome(rv1::REASSIGNED);
  SetMillis(nd->mutable_decided_at(), now_ms);
  nd->set_rules_version(policy_->version());
  Step(nd, "sla.expired", true,
       "rep " + d.rep_id() + " did not accept within " +
           std::to_string(team.sla_business_minutes()) + " business minutes");
  const std::string rep = picker_.PickRep(team, *reps, now, *nd, exclude);
  if (rep.empty()) {
    // Nobody else can take it now: the current rep keeps it; retry later.
    return KeepFirst(first, store_.sla_timers.CompareAndSet(lead_id, due_ms, retry_ms));
  }
  nd->set_rep_id(rep);
  next.add_previous_reps(d.rep_id());
  const RepState chosen = reps->Get(rep);
  const int64_t sla = SlaDueMillis(*policy_, d.team(), rep, now, &chosen.out_of_office);
  SetMillis(next.mutable_sla_due_at(), sla);

  ReassignRequest req;
  req.record = &next;
  req.expected_raw = stored.raw;
  req.old_rep = d.rep_id();
  picker_.FillLimits(rep, now, &req.day, &req.max_open, &req.daily_cap);
  req.sla_due_ms = sla;
  req.outbox_ms = now_ms;
  auto claim = store_.claims.Reassign(req);
  if (!claim.ok()) return claim.status();
  if (!claim->claimed()) return Status::Ok();  // accepted / closed meanwhile, or capacity raced
  ObserveReassigned(rec, next, *claim);
  return KeepFirst(first, Emit(next));
}

void RoutingScheduler::ObserveReassigned(const rv1::LeadAssigned& before,
                                         const rv1::LeadAssigned& after, const ClaimResult& claim) {
  const auto& d = after.decision();
  metrics_.Reassigned(d.team());
  if (ladder_ != nullptr && SlaLadderOf(*policy_, d.team()) != nullptr) {
    metrics_.SlaStep(d.team(), SlaStepLabel(rv1::SLA_STEP_REASSIGNED));
  }
  metrics_.Decision(d, before.scored().segment());
  metrics_.RepOpenLeads(d.team(), d.rep_id(), static_cast<double>(claim.rep_open_leads));
  log::Info("lead re-assigned after SLA expiry",
            {{"trace_id", before.scored().lead().meta().trace_id()},
             {"team", d.team()},
             {"from", before.decision().rep_id()},
             {"to", d.rep_id()}});
}

Status RoutingScheduler::PublishStep(const rv1::LeadAssigned& rec, rv1::SlaStep step,
                                     int64_t due_ms, int64_t at_ms) {
  const auto& d = rec.decision();
  const auto* ladder = SlaLadderOf(*policy_, d.team());
  rv1::SlaEscalation e;
  e.set_lead_id(rec.scored().lead().meta().lead_id());
  e.set_team(d.team());
  e.set_step(step);
  if (ladder != nullptr) e.set_escalate_to(ladder->escalate_to());
  SetMillis(e.mutable_due_at(), due_ms);
  SetMillis(e.mutable_at(), at_ms);
  if (step == rv1::SLA_STEP_REASSIGNED) {
    if (rec.previous_reps_size() > 0) {
      e.set_rep_id(rec.previous_reps(rec.previous_reps_size() - 1));
    }
    e.set_new_rep_id(d.rep_id());
  } else {
    e.set_rep_id(d.rep_id());
    *e.mutable_sla_due_at() = rec.sla_due_at();
  }
  const auto& meta = rec.scored().lead().meta();
  const auto m = EventOf(topics::kSlaEscalations, e.lead_id(), e.SerializeAsString(), meta);
  if (Status s = producer_.ProduceAndWait(m, kPublishTimeout); !s.ok()) return s;
  log::Info("SLA ladder step", {{"trace_id", meta.trace_id()},
                                {"team", d.team()},
                                {"rep", e.rep_id()},
                                {"step", SlaStepLabel(step)}});
  return Status::Ok();
}

StatusOr<bool> RoutingScheduler::Escalate(const rv1::LeadAssigned& rec, int64_t due_ms,
                                          int64_t now_ms) {
  const auto& d = rec.decision();
  if (ladder_ == nullptr || SlaLadderOf(*policy_, d.team()) == nullptr) return false;
  // The re-assignment waits for the grace; a timer that stays put would fire
  // as the deadline again, so the grace end is always later.
  const int64_t grace_end =
      std::max(due_ms + 1, SlaGraceEndMillis(*policy_, d.team(), d.rep_id(), due_ms));
  const int64_t lease = now_ms + policy_->outbox_resend_ms();
  auto claimed =
      ladder_->ClaimEscalation(rec.scored().lead().meta().lead_id(), due_ms, grace_end, lease);
  if (!claimed.ok()) return claimed.status();
  if (!*claimed) return true;  // another replica escalated it, or it was accepted
  metrics_.SlaBreach(d.team(), "assigned");
  // Published after the claim; a failure leaves the lease for a retry.
  if (Status s = PublishStep(rec, rv1::SLA_STEP_ESCALATION, due_ms, now_ms); !s.ok()) return s;
  auto won = ladder_->Finish(rec.scored().lead().meta().lead_id(), lease);
  if (!won.ok()) return won.status();
  if (*won) metrics_.SlaStep(d.team(), SlaStepLabel(rv1::SLA_STEP_ESCALATION));
  return true;
}

Status RoutingScheduler::RunSlaLadder(int64_t now_ms) {
  if (ladder_ == nullptr) return Status::Ok();
  if (!any_ladder_) return ladder_->Forget(kBatch);  // the claims list every new timer
  auto found = ladder_->Sync(kBatch);
  if (!found.ok()) return found.status();
  Status first;
  if (Status s = ArmLadder(*found, now_ms, first); !s.ok()) return s;
  auto due = ladder_->Due(now_ms, kBatch);
  if (!due.ok()) return due.status();
  for (const auto& [lead_id, score] : *due) {
    if (Status s = FireLadderStep(lead_id, score, now_ms, first); !s.ok()) return s;
  }
  return first;
}

Status RoutingScheduler::ArmLadder(const std::vector<std::pair<std::string, int64_t>>& timers,
                                   int64_t now_ms, Status& first) {
  if (timers.empty()) return Status::Ok();
  std::vector<std::string> ids;
  for (const auto& timer : timers) ids.push_back(timer.first);
  auto snap = store_.snapshots.Read(ids, {}, nullptr);
  if (!snap.ok()) return snap.status();
  // The reminder of a timer that is still the assignment's deadline, if any.
  const auto remind_of = [&](const rv1::LeadAssigned& rec, int64_t timer_due) -> int64_t {
    const auto& d = rec.decision();
    if (IsSlim(rec) || !HeldByRep(d.outcome()) || timer_due != ToMillis(rec.sla_due_at()) ||
        now_ms >= timer_due) {
      return 0;
    }
    return std::max<int64_t>(
        0, SlaReminderMillis(*policy_, d.team(), d.rep_id(), ToMillis(d.decided_at())));
  };
  std::vector<SlaLadderStore::Arming> arms;
  for (size_t i = 0; i < timers.size(); ++i) {
    const auto& [lead_id, timer_due] = timers[i];
    int64_t remind = 0;  // nothing pending for this timer
    if (snap->decisions[i].has_value()) {
      auto stored = DecisionLog::Parse(lead_id, std::move(*snap->decisions[i]));
      if (stored.ok()) {
        remind = remind_of(stored->record, timer_due);
      } else {
        KeepFirst(first, stored.status());  // a corrupt record: no reminder
      }
    }
    arms.push_back({lead_id, timer_due, remind});
  }
  return KeepFirst(first, ladder_->ArmMany(arms));
}

rv1::SlaStep RoutingScheduler::LadderStepOf(const rv1::LeadAssigned& rec, int64_t timer,
                                            int64_t now_ms, int64_t* step_due) const {
  const auto& d = rec.decision();
  const int64_t deadline = ToMillis(rec.sla_due_at());
  if (!HeldByRep(d.outcome()) || SlaLadderOf(*policy_, d.team()) == nullptr) {
    return rv1::SLA_STEP_UNSPECIFIED;
  }
  if (timer == deadline && now_ms < deadline) {
    *step_due = SlaReminderMillis(*policy_, d.team(), d.rep_id(), ToMillis(d.decided_at()));
    return rv1::SLA_STEP_REMINDER;
  }
  if (timer != deadline && now_ms >= deadline) {
    // An escalation claimed at the deadline whose event a crash lost.
    *step_due = deadline;
    return rv1::SLA_STEP_ESCALATION;
  }
  return rv1::SLA_STEP_UNSPECIFIED;
}

Status RoutingScheduler::FireLadderStep(const std::string& lead_id, int64_t score, int64_t now_ms,
                                        Status& first) {
  const int64_t lease = now_ms + policy_->outbox_resend_ms();
  auto claimed = ladder_->Claim(lead_id, score, lease);
  if (!claimed.ok()) return claimed.status();
  if (!claimed->has_value()) return Status::Ok();  // another replica has it
  const int64_t timer = **claimed;
  auto stored = store_.decisions.Get(lead_id);
  if (!stored.ok()) return stored.status();
  rv1::SlaStep step = rv1::SLA_STEP_UNSPECIFIED;
  if (stored->has_value() && !IsSlim((*stored)->record) && timer != 0) {
    int64_t step_due = 0;
    step = LadderStepOf((*stored)->record, timer, now_ms, &step_due);
    if (step != rv1::SLA_STEP_UNSPECIFIED) {
      if (Status s = PublishStep((*stored)->record, step, step_due, now_ms); !s.ok()) {
        return KeepFirst(first, s);  // the lease runs out and any replica retries
      }
    }
  }
  auto won = ladder_->Finish(lead_id, lease);
  if (!won.ok()) return won.status();
  if (*won && step != rv1::SLA_STEP_UNSPECIFIED) {
    metrics_.SlaStep((*stored)->record.decision().team(), SlaStepLabel(step));
  }
  return Status::Ok();
}

Status RoutingScheduler::FireStalls(int64_t now_ms) {
  return ForEachDue(store_.stall_timers, now_ms,
                    [&](const std::string& lead_id, int64_t due_ms, Status& first) {
                      return FireStall(lead_id, due_ms, now_ms, first);
                    });
}

Status RoutingScheduler::FireStall(const std::string& lead_id, int64_t due_ms, int64_t now_ms,
                                   Status& first) {
  auto stored = store_.decisions.Get(lead_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value() || IsSlim((*stored)->record)) {  // closed, rejected or expired
    return KeepFirst(first, store_.stall_timers.Stop(lead_id, due_ms));
  }
  const rv1::LeadAssigned& rec = (*stored)->record;
  const auto& d = rec.decision();
  auto tags = store_.sales_feedback.Tags(lead_id);
  if (!tags.ok()) return tags.status();
  if (tags->stage.empty() || tags->accepted_by != d.rep_id()) {
    return KeepFirst(first, store_.stall_timers.Stop(lead_id, due_ms));
  }
  const int64_t version =
      NextVersion(now_ms, std::max(tags->version, tags->stalled_version), ToMillis(d.decided_at()));
  const rv1::DealStalled stall = StallOf(rec, *tags, version, now_ms);
  const auto& meta = rec.scored().lead().meta();
  // The event first: a crash before the timer stops sends it again (same
  // stage_version), never loses it.
  const auto m = EventOf(topics::kDealsStalls, lead_id, stall.SerializeAsString(), meta);
  if (Status s = producer_.ProduceAndWait(m, kPublishTimeout); !s.ok()) return s;
  auto marked = store_.stall_timers.MarkStalled(lead_id, due_ms, tags->stage_version, version);
  if (!marked.ok()) return marked.status();
  if (!*marked) return Status::Ok();  // another replica fired it, or the deal moved meanwhile
  metrics_.DealStalled(tags->stage, d.team());
  FeedbackTags now_tags = *tags;
  now_tags.stalled_version = version;
  rv1::LeadAssigned event = rec;
  *event.mutable_change() = LeadChangeOf(rec, now_tags, d.rep_id());
  broadcaster_.Publish(event);
  log::Info("deal stalled in stage", {{"trace_id", meta.trace_id()},
                                      {"team", d.team()},
                                      {"rep", d.rep_id()},
                                      {"stage", tags->stage}});
  return Status::Ok();
}

rv1::DealStalled RoutingScheduler::StallOf(const rv1::LeadAssigned& rec, const FeedbackTags& tags,
                                           int64_t version, int64_t now_ms) const {
  const auto& d = rec.decision();
  rv1::DealStalled stall;
  stall.set_lead_id(rec.scored().lead().meta().lead_id());
  stall.set_rep_id(d.rep_id());
  stall.set_team(d.team());
  stall.set_stage(tags.stage);
  if (const DealStageInfo* stage = policy_->deal_stages().Find(tags.stage); stage != nullptr) {
    stall.set_owner(StageOwnerName(stage->owner));
    stall.set_max_ms_in_stage(stage->max_ms);
  }
  stall.set_ms_in_stage(std::max<int64_t>(0, now_ms - tags.stage_version));
  SetMillis(stall.mutable_stalled_at(), version);
  stall.set_stage_version(tags.stage_version);
  stall.set_version(version);
  stall.set_deal_value_rub(tags.value_rub);
  return stall;
}

Status RoutingScheduler::DrainQueues(std::chrono::system_clock::time_point now,
                                     std::optional<RepStateView>& reps) {
  Status first;
  for (const auto& team : policy_->rules().teams()) {
    if (Status s = DrainQueue(team, now, reps, first); !s.ok()) return s;
  }
  return first;
}

Status RoutingScheduler::DrainQueue(const leadflow::config::v1::Team& team,
                                    std::chrono::system_clock::time_point now,
                                    std::optional<RepStateView>& reps, Status& first) {
  auto queued = store_.queues.Leads(team.team_id(), kQueuePage);
  if (!queued.ok()) return queued.status();
  if (queued->empty()) return Status::Ok();
  if (Status s = LoadRepsOnce(now, reps); !s.ok()) return s;
  auto all_went = AssignInOrder(team, *queued, *reps, now, first);
  if (!all_went.ok()) return all_went.status();
  if (!*all_went || queued->size() < static_cast<size_t>(kQueuePage)) return Status::Ok();
  // The whole first page went: the rest of a batch (the page's leads are
  // dequeued now, or skipped as no longer queued).
  queued = store_.queues.Leads(team.team_id(), kBatch);
  if (!queued.ok()) return queued.status();
  return AssignInOrder(team, *queued, *reps, now, first).status();
}

StatusOr<bool> RoutingScheduler::AssignInOrder(const leadflow::config::v1::Team& team,
                                               const std::vector<QueuedLead>& queued,
                                               RepStateView& reps,
                                               std::chrono::system_clock::time_point now,
                                               Status& first) {
  for (const auto& queued_lead : queued) {
    auto go_on = AssignQueued(team, queued_lead, reps, now, first);
    if (!go_on.ok()) return go_on.status();
    if (!*go_on) return false;
  }
  return true;
}

StatusOr<bool> RoutingScheduler::AssignQueued(const leadflow::config::v1::Team& team,
                                              const QueuedLead& queued_lead, RepStateView& reps,
                                              std::chrono::system_clock::time_point now,
                                              Status& first) {
  const int64_t now_ms = MillisOf(now);
  auto stored = store_.decisions.Get(queued_lead.lead_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value() || (*stored)->record.decision().outcome() != rv1::QUEUED ||
      (*stored)->record.decision().team() != team.team_id() || IsSlim((*stored)->record)) {
    KeepFirst(first, store_.queues.Remove(team.team_id(), queued_lead.entry));
    return true;
  }
  const rv1::LeadAssigned& rec = (*stored)->record;
  rv1::LeadAssigned next = rec;
  auto* nd = next.mutable_decision();
  const int64_t waited_s = (now_ms - ToMillis(rec.decision().decided_at())) / 1000;
  Step(nd, "queue." + team.team_id(), true,
       "capacity freed after " + std::to_string(waited_s) + " s in the team queue");
  const std::string rep = picker_.PickRep(team, reps, now, *nd);
  if (rep.empty()) return false;  // nobody in this team is eligible: the rest wait too
  nd->set_outcome(rv1::ASSIGNED);
  nd->set_rep_id(rep);
  SetMillis(nd->mutable_decided_at(), now_ms);
  const RepState chosen = reps.Get(rep);
  const int64_t sla = SlaDueMillis(*policy_, team.team_id(), rep, now, &chosen.out_of_office);
  SetMillis(next.mutable_sla_due_at(), sla);

  ClaimRequest req;
  req.record = &next;
  req.effect = ClaimEffect::kRep;
  req.replace_raw = (*stored)->raw;
  picker_.FillLimits(rep, now, &req.day, &req.max_open, &req.daily_cap);
  req.sla_due_ms = sla;
  req.dequeue = true;
  req.queue_entry = queued_lead.entry;
  req.outbox_ms = now_ms;
  auto claim = store_.claims.Claim(req);
  if (!claim.ok()) return claim.status();
  if (claim->kind == ClaimResult::Kind::kNoCapacity) return false;  // raced: next tick
  if (claim->kind == ClaimResult::Kind::kExists) return true;       // another replica took it
  RepState s = reps.Get(rep);
  s.open_leads = static_cast<int>(claim->rep_open_leads);
  s.today_count += 1;
  reps.Set(rep, s);
  ObserveDequeued(rec, next, *claim, now_ms);
  KeepFirst(first, Emit(next));
  return true;
}

void RoutingScheduler::ObserveDequeued(const rv1::LeadAssigned& before,
                                       const rv1::LeadAssigned& after, const ClaimResult& claim,
                                       int64_t now_ms) {
  const auto& d = after.decision();
  metrics_.Dequeued(d.team());
  metrics_.QueueDepth(d.team(), static_cast<double>(claim.queue_depth));
  metrics_.RepOpenLeads(d.team(), d.rep_id(), static_cast<double>(claim.rep_open_leads));
  metrics_.Decision(d, before.scored().segment());
  const auto& meta = before.scored().lead().meta();
  if (meta.has_first_submitted_at()) {
    metrics_.SpeedToLead(d, (now_ms - ToMillis(meta.first_submitted_at())) / 1000.0);
  }
}

}  // namespace leadflow::routing
