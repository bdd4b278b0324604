#include "routing/domain/simulation_history_generator.h"

#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <tuple>
#include <unordered_map>

#include "routing/domain/business_time.h"
#include "routing/domain/queue_order.h"
#include "routing/domain/router.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;
namespace sv1 = leadflow::scoring::v1;
using TimePoint = std::chrono::system_clock::time_point;

TimePoint At(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

// splitmix64: portable and deterministic (std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int64_t Below(int64_t n) { return static_cast<int64_t>(Next() % static_cast<uint64_t>(n)); }
  bool Chance(int percent) { return Below(100) < percent; }

 private:
  uint64_t s_;
};

void SetMillis(google::protobuf::Timestamp* t, int64_t ms) {
  t->set_seconds(ms / 1000);
  t->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

sv1::LeadScored MakeLead(Rng& rng, int i, int64_t at) {
  static const char* kRegions[] = {"RU-SPE", "RU-MOW", "RU-NVS", "RU-MOS", "RU-TA"};
  static const cv1::Segment kSegments[] = {cv1::SMB, cv1::MID_MARKET, cv1::ENTERPRISE,
                                           cv1::GOVERNMENT};
  static const cv1::DealBand kBands[] = {cv1::DEAL_BAND_SMALL, cv1::DEAL_BAND_STANDARD,
                                         cv1::DEAL_BAND_LARGE};
  sv1::LeadScored s;
  auto* lead = s.mutable_lead();
  auto* meta = lead->mutable_meta();
  meta->set_lead_id("gen-" + std::to_string(i));
  meta->set_account_key("acct" + std::to_string(rng.Below(20000)) + ".example");
  SetMillis(meta->mutable_first_submitted_at(), at);
  const bool customer = rng.Chance(5);
  meta->set_relationship(customer ? cv1::CUSTOMER : cv1::PROSPECT);
  if (customer && rng.Chance(50)) lead->set_account_owner("acc-msk");
  lead->mutable_company()->set_region(kRegions[rng.Below(5)]);
  lead->set_sales_channel(rng.Chance(8) ? cv1::PARTNER : cv1::DIRECT);
  s.set_segment(kSegments[rng.Below(4)]);
  s.set_deal_band(kBands[rng.Below(3)]);
  const int64_t roll = rng.Below(100);
  s.set_disqualified(roll < 8);
  if (s.disqualified()) s.add_disqualification_reasons(cv1::BUDGET_TOO_SMALL);
  s.set_lifecycle_stage(roll < 55 ? cv1::LEAD : cv1::MQL);
  s.set_total_score(static_cast<double>(rng.Below(100)));
  s.mutable_bant()->set_product(static_cast<int32_t>(rng.Below(16)));
  SetMillis(s.mutable_scored_at(), at);
  s.set_revision(1);
  return s;
}

// The stand-in for the live engine.
class LiveStandIn {
 public:
  LiveStandIn(std::shared_ptr<const RoutingPolicy> policy, const HistoryGeneratorOptions& o,
              SimulationHistory& h)
      : policy_(std::move(policy)), router_(policy_), o_(o), h_(h), rng_(o.seed ^ 0x5eed) {}

  void Generate();

 private:
  struct Held {
    const sv1::LeadScored* scored = nullptr;
    rv1::RoutingOutcome outcome = rv1::ROUTING_OUTCOME_UNSPECIFIED;
    std::string team, rep;
    rv1::Decision queued;
  };
  struct Rep {
    rv1::RepAvailability availability = rv1::REP_AVAILABILITY_UNSPECIFIED;
    int open = 0;
    std::string day;
    int today = 0;
  };
  // A pending event: (time, kind 0 availability / 1 feedback, index).
  using Pending = std::tuple<int64_t, int, size_t>;

  RepStateView Snapshot(int64_t now);
  void Take(const std::string& lead_id, const std::string& rep, int64_t now);
  void Drain(int64_t now);
  void Record(const std::string& lead_id, int32_t revision, const rv1::Decision& d, int64_t now,
              DecisionSource source);
  void RunPending(int64_t until);
  // Drains at every quarter-hour boundary up to `now` (kQueueDrainBoundaryMs).
  void Boundaries(int64_t now);
  // The steps of Generate().
  void ScheduleAwayReps();
  int64_t GenerateArrivals();
  void AssignPartitions();
  // Decides one batch at `now` on one snapshot, as the engine does.
  void DecideBatch(const std::vector<size_t>& batch, int64_t now);

  std::shared_ptr<const RoutingPolicy> policy_;
  Router router_;
  const HistoryGeneratorOptions& o_;
  SimulationHistory& h_;
  Rng rng_;
  std::map<std::string, Rep> reps_;
  std::unordered_map<std::string, Held> held_;
  std::map<std::string, std::map<std::string, std::string>> queues_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending_;
  std::vector<HistoryFeedback> feedback_;  // appended to h_.feedback when applied
  int64_t next_boundary_ = 0;
};

RepStateView LiveStandIn::Snapshot(int64_t now) {
  RepStateView view;
  for (const auto& id : policy_->AllRepIds()) {
    Rep& r = reps_[id];
    const std::string day = RepLocalDay(*policy_, id, At(now));
    if (day != r.day) {
      r.day = day;
      r.today = 0;
    }
    view.Set(id, RepState{r.availability, r.open, r.today, {}});
  }
  return view;
}

void LiveStandIn::Record(const std::string& lead_id, int32_t revision, const rv1::Decision& d,
                         int64_t now, DecisionSource source) {
  HistoryDecision hd;
  hd.at_ms = now;
  hd.lead_id = lead_id;
  hd.revision = revision;
  hd.source = source;
  hd.decision = d;
  h_.decisions.push_back(std::move(hd));
}

// An assignment: open +1, today +1, then the rep accepts within a minute and
// closes (or rejects) later.
void LiveStandIn::Take(const std::string& lead_id, const std::string& rep, int64_t now) {
  Rep& r = reps_[rep];
  ++r.open;
  ++r.today;
  auto feedback = [&](rv1::FeedbackKind kind, int64_t at) {
    HistoryFeedback f;
    f.at_ms = at;
    f.feedback.set_lead_id(lead_id);
    f.feedback.set_rep_id(rep);
    f.feedback.set_kind(kind);
    SetMillis(f.feedback.mutable_at(), at);
    if (kind == rv1::REJECT) {
      f.feedback.set_reject_reason(rng_.Chance(50) ? cv1::RIGID_SPEC : cv1::NOT_A_FIT);
    }
    if (kind == rv1::CLOSE) f.feedback.set_outcome(rng_.Chance(30) ? rv1::WON : rv1::LOST);
    feedback_.push_back(std::move(f));
    pending_.push({at, 1, feedback_.size() - 1});
  };
  feedback(rv1::ACCEPT, now + 1000 + rng_.Below(50000));
  const int64_t end = now + 60000 + rng_.Below(6 * 3600 * 1000);
  feedback(rng_.Chance(10) ? rv1::REJECT : rv1::CLOSE, end);
}

void LiveStandIn::Drain(int64_t now) {
  for (const auto& team : policy_->rules().teams()) {
    auto& q = queues_[team.team_id()];
    if (q.empty()) continue;
    RepStateView view = Snapshot(now);
    while (!q.empty()) {
      Held& lead = held_[q.begin()->second];
      const std::string lead_id = q.begin()->second;
      rv1::Decision d = lead.queued;
      d.add_path()->set_rule_id("queue." + team.team_id());
      const std::string rep = router_.PickRep(team, view, At(now), d);
      if (rep.empty()) break;
      d.set_outcome(rv1::ASSIGNED);
      d.set_rep_id(rep);
      SetMillis(d.mutable_decided_at(), now);
      q.erase(q.begin());
      lead.outcome = rv1::ASSIGNED;
      lead.rep = rep;
      Take(lead_id, rep, now);
      view.CountClaim(rep);
      Record(lead_id, lead.scored->revision(), d, now, DecisionSource::kQueueDrain);
    }
  }
}

void LiveStandIn::Boundaries(int64_t now) {
  while (next_boundary_ <= now) {
    Drain(next_boundary_);
    next_boundary_ += kQueueDrainBoundaryMs;
  }
}

void LiveStandIn::RunPending(int64_t until) {
  while (!pending_.empty() && std::get<0>(pending_.top()) <= until) {
    auto [at, kind, index] = pending_.top();
    pending_.pop();
    Boundaries(at);
    if (kind == 0) {
      const auto& a = h_.availability[index];
      reps_[a.rep_id].availability = a.availability;
      Drain(at);
      continue;
    }
    const HistoryFeedback& f = feedback_[index];
    auto it = held_.find(f.feedback.lead_id());
    if (it == held_.end() || it->second.rep != f.feedback.rep_id()) continue;  // refused
    h_.feedback.push_back(f);  // sales.feedback holds applied feedback only
    Held& lead = it->second;
    if (f.feedback.kind() == rv1::ACCEPT) continue;
    --reps_[lead.rep].open;
    const bool back = f.feedback.kind() == rv1::REJECT &&
                      IsLargeClientSegment(lead.scored->segment()) &&
                      policy_->IsProtectedRejectReason(f.feedback.reject_reason());
    lead.outcome = back ? rv1::NURTURE : rv1::ROUTING_OUTCOME_UNSPECIFIED;
    lead.rep.clear();
    Drain(at);
  }
}

void LiveStandIn::Generate() {
  ScheduleAwayReps();
  const int64_t last_arrival = GenerateArrivals();
  AssignPartitions();
  next_boundary_ = (o_.start_ms / kQueueDrainBoundaryMs + 1) * kQueueDrainBoundaryMs;
  // Batches: the leads of one window, decided together at its end on one
  // snapshot.
  size_t i = 0;
  int64_t batches = 0;
  while (i < h_.leads.size()) {
    const int64_t window_end = (h_.leads[i].at_ms / o_.batch_window_ms + 1) * o_.batch_window_ms;
    std::vector<size_t> batch;
    while (i < h_.leads.size() && h_.leads[i].at_ms < window_end) batch.push_back(i++);
    // A consumer hands over each partition's records in offset order, the
    // partitions in an order of its own (here: rotating per batch).
    const int32_t first = static_cast<int32_t>(batches++ % o_.partitions);
    auto rank = [&](size_t k) {
      return std::make_pair((h_.leads[k].partition - first + o_.partitions) % o_.partitions,
                            h_.leads[k].offset);
    };
    std::sort(batch.begin(), batch.end(), [&](size_t a, size_t b) { return rank(a) < rank(b); });
    DecideBatch(batch, window_end);
  }
  RunPending(last_arrival + 7 * 3600 * 1000);
  Boundaries(last_arrival + 7 * 3600 * 1000);
}

// Availability changes.
void LiveStandIn::ScheduleAwayReps() {
  for (size_t i = 0; i < o_.away_reps.size(); ++i) {
    if (policy_->FindRep(o_.away_reps[i]) == nullptr) continue;
    const int64_t from =
        o_.start_ms + static_cast<int64_t>(i % 3 + 1) * 24 * 3600 * 1000 + 12 * 3600 * 1000;
    const bool vacation = i % 2 == 0;
    const int64_t to = from + (vacation ? 24 : 6) * 3600 * 1000;
    h_.availability.push_back({from, o_.away_reps[i], vacation ? rv1::VACATION : rv1::PAUSED});
    h_.availability.push_back({to, o_.away_reps[i], rv1::ACTIVE});
    pending_.push({from, 0, h_.availability.size() - 2});
    pending_.push({to, 0, h_.availability.size() - 1});
  }
}

// Arrivals (some nurtured leads come back as MQL a day later: a rescore), in
// time order; returns the last arrival's time.
int64_t LiveStandIn::GenerateArrivals() {
  const int64_t span = int64_t{o_.days} * 24 * 3600 * 1000;
  const int64_t step = std::max<int64_t>(1, span / std::max(1, o_.leads));
  int64_t t = o_.start_ms;
  h_.leads.reserve(o_.leads + o_.leads / 20);
  for (int i = 0; i < o_.leads; ++i) {
    t += rng_.Below(2 * step) + 1;
    HistoryLead l;
    l.at_ms = t;
    l.scored = MakeLead(rng_, i, t);
    if (l.scored.lifecycle_stage() == cv1::LEAD && !l.scored.disqualified() && rng_.Chance(5)) {
      HistoryLead again = l;
      again.at_ms = t + 24 * 3600 * 1000 + rng_.Below(3600 * 1000);
      again.scored.set_revision(2);
      again.scored.set_lifecycle_stage(cv1::MQL);
      SetMillis(again.scored.mutable_scored_at(), again.at_ms);
      h_.leads.push_back(std::move(again));
    }
    h_.leads.push_back(std::move(l));
  }
  std::stable_sort(h_.leads.begin(), h_.leads.end(),
                   [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
  return t;
}

void LiveStandIn::AssignPartitions() {
  std::vector<int64_t> offsets(o_.partitions, 0);
  for (auto& l : h_.leads) {
    l.partition = static_cast<int32_t>(std::hash<std::string>{}(l.scored.lead().meta().lead_id()) %
                                       o_.partitions);
    l.offset = offsets[l.partition]++;
  }
}

void LiveStandIn::DecideBatch(const std::vector<size_t>& batch, int64_t now) {
  RunPending(now);
  Boundaries(now);
  RepStateView view = Snapshot(now);
  for (size_t k : batch) {
    const sv1::LeadScored& scored = h_.leads[k].scored;
    const std::string& id = scored.lead().meta().lead_id();
    auto it = held_.find(id);
    if (it != held_.end() && !(scored.revision() > it->second.scored->revision() &&
                               it->second.outcome == rv1::NURTURE)) {
      continue;
    }
    RoutingResult result = router_.Decide(scored, view, At(now));
    rv1::Decision& d = result.decision;
    Held& lead = held_[id];
    lead = Held{};
    lead.scored = &scored;
    lead.outcome = d.outcome();
    lead.team = d.team();
    if ((d.outcome() == rv1::ASSIGNED || d.outcome() == rv1::NAMED_OWNER) && !d.rep_id().empty()) {
      lead.rep = d.rep_id();
      view.CountClaim(d.rep_id());
      Take(id, d.rep_id(), now);
    } else if (d.outcome() == rv1::QUEUED) {
      lead.queued = d;
      queues_[d.team()].emplace(QueueEntry(policy_->queue_order(), scored, now, id), id);
    }
    Record(id, scored.revision(), d, now, DecisionSource::kScored);
  }
}

}  // namespace

SimulationHistory GenerateHistory(std::shared_ptr<const RoutingPolicy> live,
                                  const HistoryGeneratorOptions& options) {
  SimulationHistory h;
  LiveStandIn stand_in(std::move(live), options, h);
  stand_in.Generate();
  return h;
}

}  // namespace leadflow::routing
