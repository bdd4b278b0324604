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

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

namespace {

constexpr int kBatch = 200;
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

}  // namespace

RoutingScheduler::RoutingScheduler(std::shared_ptr<const RoutingPolicy> policy,
                                   RoutingEngine& engine, RoutingStore& store,
                                   kafka::Producer& producer, AssignmentBroadcaster& broadcaster,
                                   RoutingMetrics& metrics, const Clock& clock)
    : policy_(std::move(policy)),
      engine_(engine),
      store_(store),
      producer_(producer),
      broadcaster_(broadcaster),
      metrics_(metrics),
      clock_(clock) {}

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
  s = FirstError(s, ExpireSlaTimers(now));
  s = FirstError(s, DrainQueues(now));
  s = FirstError(s, FireStalls(clock_.NowMillis()));
  s = FirstError(s, RefreshGauges(now));
  s = FirstError(s, RefreshPipeline(clock_.NowMillis()));
  return s;
}

Status RoutingScheduler::RefreshPipeline(int64_t now_ms) {
  if (pipeline_at_ms_ != 0 && now_ms - pipeline_at_ms_ < kPipelineRefreshMs) return Status::Ok();
  // A state being rebuilt (or lost) has no totals: keep the last ones.
  if (auto ready = store_.ReadForRouting({}, {}, nullptr); !ready.ok()) return ready.status();
  std::set<std::string> reps;
  for (const auto& team : policy_->rules().teams()) {
    for (const auto& rep : team.reps()) reps.insert(rep.rep_id());
  }
  std::vector<std::string> leads;
  std::set<std::string> seen;
  for (const auto& rep : reps) {
    auto open = store_.OpenLeads(rep);
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
    auto tags = store_.GetFeedbackTagsMany(chunk);
    if (!tags.ok()) return tags.status();
    std::vector<std::string> staged;
    std::vector<FeedbackTags> staged_tags;
    for (size_t i = 0; i < chunk.size(); ++i) {
      if ((*tags)[i].stage.empty()) continue;
      staged.push_back(chunk[i]);
      staged_tags.push_back(std::move((*tags)[i]));
    }
    if (staged.empty()) continue;
    auto snap = store_.ReadForRouting(staged, {}, nullptr);
    if (!snap.ok()) return snap.status();
    for (size_t i = 0; i < staged.size(); ++i) {
      if (!snap->decisions[i].has_value()) continue;
      auto stored = RoutingStore::ParseDecision(staged[i], std::move(*snap->decisions[i]));
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

Status RoutingScheduler::RefreshGauges(std::chrono::system_clock::time_point now) {
  auto reps = engine_.LoadReps(now);
  if (!reps.ok()) return reps.status();
  for (const auto& team : policy_->rules().teams()) {
    for (const auto& rep : team.reps()) {
      const RepState s = reps->Get(rep.rep_id());
      metrics_.RepOpenLeads(team.team_id(), rep.rep_id(), s.open_leads);
      metrics_.RepTodayLeads(team.team_id(), rep.rep_id(), s.today_count);
      metrics_.RepAvailable(team.team_id(), rep.rep_id(), RepStateView::IsAvailable(s));
    }
    auto depth = store_.QueueDepth(team.team_id());
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
    return store_.Emitted(meta.lead_id());
  }
  auto m = MakeEvent(topics::kLeadsAssigned, meta, meta.lead_id(), record);
  if (Status s = producer_.ProduceAndWait(m, kPublishTimeout); !s.ok()) return s;
  broadcaster_.Publish(record);
  return store_.Emitted(meta.lead_id());
}

Status RoutingScheduler::ResendOutbox(int64_t now_ms) {
  auto due = store_.OutboxDue(now_ms - policy_->outbox_resend_ms(), kBatch);
  if (!due.ok()) return due.status();
  Status first;
  for (const auto& lead_id : *due) {
    auto rec = store_.GetDecision(lead_id);
    if (!rec.ok()) return rec.status();
    // A slim record's lead was closed or rejected meanwhile: nothing to announce.
    if (!rec->has_value() || !HeldByRep((*rec)->record.decision().outcome()) ||
        IsSlim((*rec)->record)) {
      first = FirstError(first, store_.Emitted(lead_id));
      continue;
    }
    first = FirstError(first, Emit((*rec)->record));
  }
  return first;
}

Status RoutingScheduler::ExpireSlaTimers(std::chrono::system_clock::time_point now) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  auto due = store_.DueSlaTimers(now_ms, kBatch);
  if (!due.ok()) return due.status();
  Status first;
  for (const auto& [lead_id, due_ms] : *due) {
    auto stored = store_.GetDecision(lead_id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) {
      first = FirstError(first, store_.StopSlaTimer(lead_id));
      continue;
    }
    const rv1::LeadAssigned& rec = (*stored)->record;
    const auto& d = rec.decision();
    if (IsSlim(rec)) {  // closed or rejected meanwhile: no timer runs any more
      first = FirstError(first, store_.CompareAndSetSlaTimer(lead_id, due_ms, 0));
      continue;
    }
    const bool first_expiry = due_ms == ToMillis(rec.sla_due_at());
    if (d.outcome() == rv1::QUEUED) {
      // Still waiting for capacity: the breach is counted; the lead keeps its
      // place and is assigned by the drain below as soon as a rep is free.
      if (first_expiry) metrics_.SlaBreach(d.team(), "queued");
      first = FirstError(first, store_.CompareAndSetSlaTimer(lead_id, due_ms, 0));
      continue;
    }
    if (!HeldByRep(d.outcome())) {
      first = FirstError(first, store_.CompareAndSetSlaTimer(lead_id, due_ms, 0));
      continue;
    }
    if (first_expiry) metrics_.SlaBreach(d.team(), "assigned");
    const int64_t retry_ms = now_ms + int64_t{policy_->sla_retry_seconds()} * 1000;
    const auto* team = policy_->FindTeam(d.team());
    if (team == nullptr) {
      first = FirstError(first, store_.CompareAndSetSlaTimer(lead_id, due_ms, retry_ms));
      continue;
    }
    std::set<std::string> exclude(rec.previous_reps().begin(), rec.previous_reps().end());
    exclude.insert(d.rep_id());

    auto reps = engine_.LoadReps(now);
    if (!reps.ok()) return reps.status();
    rv1::LeadAssigned next = rec;
    auto* nd = next.mutable_decision();
    nd->set_outcome(rv1::REASSIGNED);
    SetMillis(nd->mutable_decided_at(), now_ms);
    nd->set_rules_version(policy_->version());
    Step(nd, "sla.expired", true,
         "rep " + d.rep_id() + " did not accept within " +
             std::to_string(team->sla_business_minutes()) + " business minutes");
    const std::string rep = engine_.PickRep(*team, *reps, now, *nd, exclude);
    if (rep.empty()) {
      // Nobody else can take it now: the current rep keeps it; retry later.
      first = FirstError(first, store_.CompareAndSetSlaTimer(lead_id, due_ms, retry_ms));
      continue;
    }
    nd->set_rep_id(rep);
    next.add_previous_reps(d.rep_id());
    const int64_t sla = SlaDueMillis(*policy_, d.team(), rep, now);
    SetMillis(next.mutable_sla_due_at(), sla);

    ReassignRequest req;
    req.record = &next;
    req.expected_raw = (*stored)->raw;
    req.old_rep = d.rep_id();
    engine_.FillLimits(rep, now, &req.day, &req.max_open, &req.daily_cap);
    req.sla_due_ms = sla;
    req.outbox_ms = now_ms;
    auto claim = store_.Reassign(req);
    if (!claim.ok()) return claim.status();
    if (!claim->claimed()) continue;  // accepted / closed meanwhile, or capacity raced: next tick
    metrics_.Reassigned(d.team());
    metrics_.Decision(*nd, rec.scored().segment());
    metrics_.RepOpenLeads(d.team(), rep, static_cast<double>(claim->rep_open_leads));
    log::Info("lead re-assigned after SLA expiry",
              {{"trace_id", rec.scored().lead().meta().trace_id()},
               {"team", d.team()},
               {"from", d.rep_id()},
               {"to", rep}});
    first = FirstError(first, Emit(next));
  }
  return first;
}

Status RoutingScheduler::FireStalls(int64_t now_ms) {
  auto due = store_.DueStallTimers(now_ms, kBatch);
  if (!due.ok()) return due.status();
  Status first;
  for (const auto& [lead_id, due_ms] : *due) {
    auto stored = store_.GetDecision(lead_id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value() || IsSlim((*stored)->record)) {  // closed, rejected or expired
      first = FirstError(first, store_.StopStallTimer(lead_id, due_ms));
      continue;
    }
    const rv1::LeadAssigned& rec = (*stored)->record;
    const auto& d = rec.decision();
    auto tags = store_.GetFeedbackTags(lead_id);
    if (!tags.ok()) return tags.status();
    if (tags->stage.empty() || tags->accepted_by != d.rep_id()) {
      first = FirstError(first, store_.StopStallTimer(lead_id, due_ms));
      continue;
    }
    const DealStageInfo* stage = policy_->deal_stages().Find(tags->stage);
    const int64_t version = NextVersion(now_ms, std::max(tags->version, tags->stalled_version),
                                        ToMillis(d.decided_at()));
    rv1::DealStalled stall;
    stall.set_lead_id(lead_id);
    stall.set_rep_id(d.rep_id());
    stall.set_team(d.team());
    stall.set_stage(tags->stage);
    if (stage != nullptr) {
      stall.set_owner(StageOwnerName(stage->owner));
      stall.set_max_ms_in_stage(stage->max_ms);
    }
    stall.set_ms_in_stage(std::max<int64_t>(0, now_ms - tags->stage_version));
    SetMillis(stall.mutable_stalled_at(), version);
    stall.set_stage_version(tags->stage_version);
    stall.set_version(version);
    stall.set_deal_value_rub(tags->value_rub);
    kafka::OutgoingMessage m;
    m.topic = topics::kDealsStalls;
    m.key = lead_id;
    m.payload = stall.SerializeAsString();
    const auto& meta = rec.scored().lead().meta();
    if (!meta.trace_id().empty()) m.headers.push_back({topics::kTraceHeader, meta.trace_id()});
    // The event first: a crash before the timer stops sends it again (same
    // stage_version), never loses it.
    if (Status s = producer_.ProduceAndWait(m, kPublishTimeout); !s.ok()) return s;
    auto marked = store_.MarkStalled(lead_id, due_ms, tags->stage_version, version);
    if (!marked.ok()) return marked.status();
    if (!*marked) continue;  // another replica fired it, or the deal moved meanwhile
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
  }
  return first;
}

Status RoutingScheduler::DrainQueues(std::chrono::system_clock::time_point now) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  Status first;
  for (const auto& team : policy_->rules().teams()) {
    auto queued = store_.QueuedLeads(team.team_id(), kBatch);
    if (!queued.ok()) return queued.status();
    if (queued->empty()) continue;
    auto reps = engine_.LoadReps(now);
    if (!reps.ok()) return reps.status();
    for (const auto& queued_lead : *queued) {
      const std::string& lead_id = queued_lead.lead_id;
      auto stored = store_.GetDecision(lead_id);
      if (!stored.ok()) return stored.status();
      if (!stored->has_value() || (*stored)->record.decision().outcome() != rv1::QUEUED ||
          (*stored)->record.decision().team() != team.team_id() || IsSlim((*stored)->record)) {
        first = FirstError(first, store_.RemoveFromQueue(team.team_id(), queued_lead.entry));
        continue;
      }
      const rv1::LeadAssigned& rec = (*stored)->record;
      rv1::LeadAssigned next = rec;
      auto* nd = next.mutable_decision();
      const int64_t waited_s = (now_ms - ToMillis(rec.decision().decided_at())) / 1000;
      Step(nd, "queue." + team.team_id(), true,
           "capacity freed after " + std::to_string(waited_s) + " s in the team queue");
      const std::string rep = engine_.PickRep(team, *reps, now, *nd);
      if (rep.empty()) break;  // nobody in this team is eligible: the rest wait too
      nd->set_outcome(rv1::ASSIGNED);
      nd->set_rep_id(rep);
      SetMillis(nd->mutable_decided_at(), now_ms);
      const int64_t sla = SlaDueMillis(*policy_, team.team_id(), rep, now);
      SetMillis(next.mutable_sla_due_at(), sla);

      ClaimRequest req;
      req.record = &next;
      req.effect = ClaimEffect::kRep;
      req.replace_raw = (*stored)->raw;
      engine_.FillLimits(rep, now, &req.day, &req.max_open, &req.daily_cap);
      req.sla_due_ms = sla;
      req.dequeue = true;
      req.queue_entry = queued_lead.entry;
      req.outbox_ms = now_ms;
      auto claim = store_.Claim(req);
      if (!claim.ok()) return claim.status();
      if (claim->kind == ClaimResult::Kind::kNoCapacity) break;  // raced: next tick
      if (claim->kind == ClaimResult::Kind::kExists) continue;   // another replica took it
      RepState s = reps->Get(rep);
      s.open_leads = static_cast<int>(claim->rep_open_leads);
      s.today_count += 1;
      reps->Set(rep, s);
      metrics_.Dequeued(team.team_id());
      metrics_.QueueDepth(team.team_id(), static_cast<double>(claim->queue_depth));
      metrics_.RepOpenLeads(team.team_id(), rep, static_cast<double>(claim->rep_open_leads));
      metrics_.Decision(*nd, rec.scored().segment());
      const auto& meta = rec.scored().lead().meta();
      if (meta.has_first_submitted_at()) {
        metrics_.SpeedToLead(*nd, (now_ms - ToMillis(meta.first_submitted_at())) / 1000.0);
      }
      first = FirstError(first, Emit(next));
    }
  }
  return first;
}

}  // namespace leadflow::routing
