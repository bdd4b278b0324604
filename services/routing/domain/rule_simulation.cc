#include "routing/domain/rule_simulation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "routing/domain/business_time.h"
#include "routing/domain/queue_order.h"
#include "routing/domain/rep_day_cache.h"
#include "routing/domain/rep_needs.h"
#include "routing/domain/router.h"
#include "routing/domain/sla_ladder.h"

namespace leadflow::routing {
namespace {

namespace rv1 = leadflow::routing::v1;
namespace sv1 = leadflow::scoring::v1;
using TimePoint = std::chrono::system_clock::time_point;

TimePoint At(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

int64_t MillisOf(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

void AddStep(rv1::Decision& d, const std::string& rule, const std::string& detail) {
  auto* s = d.add_path();
  s->set_rule_id(rule);
  s->set_matched(true);
  s->set_detail(detail);
}

bool HeldByRep(rv1::RoutingOutcome o) {
  return o == rv1::ASSIGNED || o == rv1::NAMED_OWNER || o == rv1::REASSIGNED;
}

bool TakesRep(const rv1::Decision& d) {
  return (d.outcome() == rv1::ASSIGNED || d.outcome() == rv1::NAMED_OWNER) && !d.rep_id().empty();
}

// Queues drain at every quarter hour (UTC-aligned, so every rep's local
// midnight and working-hours start), besides when a slot frees or a rep returns.
constexpr int64_t kDrainBoundaryMs = kQueueDrainBoundaryMs;

// The most trial decisions spent on finding one batch's partition order.
constexpr int64_t kMaxTrialDecisions = 50000;

// Event kinds in the order they apply at one instant.
enum EventKind { kAvailability = 0, kOutOfOffice = 1, kFeedback = 2, kDrainMark = 3, kLead = 4 };

struct Event {
  int64_t at = 0;
  int kind = 0;
  int32_t partition = 0;
  int64_t offset = 0;
  size_t index = 0;
  bool operator<(const Event& o) const {
    return std::tie(at, kind, partition, offset, index) <
           std::tie(o.at, o.kind, o.partition, o.offset, o.index);
  }
};

struct SimRep {
  rv1::RepAvailability availability = rv1::REP_AVAILABILITY_UNSPECIFIED;
  OutOfOffice out_of_office;  // the windows the latest reps.out-of-office record set
  int open = 0;
  std::string day;
  int today = 0;
  int peak = 0;
  int64_t assigned = 0;
  int64_t actual_assigned = 0;
  std::string actual_team;  // for reps history knows and the candidate does not
};

RepState StateOf(const SimRep& s) {
  return RepState{s.availability, s.open, s.today, s.out_of_office};
}

struct SimLead {
  const sv1::LeadScored* scored = nullptr;
  int32_t revision = 0;
  rv1::RoutingOutcome outcome = rv1::ROUTING_OUTCOME_UNSPECIFIED;
  std::string team, rep;
  std::vector<std::string> previous;
  bool accepted = false;
  bool ended = false;  // closed or discarded: routing acts on it no more
  int64_t sla_due = 0;
  int64_t timer_gen = 0;
  std::string queue_entry;
  rv1::Decision queued_decision;  // QUEUED only: the drain extends its path
};

class Replay {
 public:
  Replay(std::shared_ptr<const RoutingPolicy> policy, const SimulationHistory& h,
         const SimulationOptions& o)
      : policy_(std::move(policy)), router_(policy_), days_(policy_), h_(h), o_(o) {}

  SimulationReport Run();

 private:
  bool InWindow(int64_t t) const { return t >= o_.from_ms && t < o_.to_ms; }
  SimRep& Rep(const std::string& id, int64_t now);
  RepStateView ViewOf(const std::vector<std::string>& ids, int64_t now);
  RepStateView TeamView(const config::v1::Team& team, int64_t now);
  void Claim(const std::string& rep, int64_t now);
  void Release(const std::string& rep);
  void StartTimer(const std::string& lead_id, SimLead& lead, int64_t now);
  void FireDue(int64_t now);
  // Fires the SLA timers and drains at the time boundaries up to `now`.
  void AdvanceTo(int64_t now);
  void FireTimer(const std::string& lead_id, int64_t due, int64_t now);
  void Drain(int64_t now);
  void SampleQueue(const std::string& team, int64_t now);
  void OnLead(const HistoryLead& h, int64_t now);
  // The leads routing decided at one instant: one consumer batch.
  void OnBatch(std::vector<size_t> leads, int64_t now);
  // Whether a scored record would be routed (not a redelivery, nor a rescore
  // of a lead still held).
  bool WouldDecide(const sv1::LeadScored& scored) const;
  // Mismatches against history of deciding `order` on one snapshot.
  int TrialMismatches(const std::vector<size_t>& order, int64_t now);
  void OnFeedback(const HistoryFeedback& f, int64_t now);
  void Trace(const std::string& lead_id, const rv1::Decision& d);
  // The actual decision of that lead revision; `consume` marks it matched.
  const HistoryDecision* ActualFor(const std::string& lead_id, int32_t revision,
                                   bool consume = true);
  void Compare(const std::string& lead_id, int32_t revision, int64_t now,
               const rv1::Decision* actual, const rv1::Decision* simulated);
  // Records a change when outcome, team or rep differ; false when alike.
  bool AddChange(const std::string& lead_id, int32_t revision, int64_t at, DecisionSource source,
                 const rv1::Decision& actual, const rv1::Decision& simulated);
  // A simulated queue drain or SLA re-assignment in the window, for the diff.
  void FollowUp(const std::string& lead_id, DecisionSource source, int64_t now,
                const rv1::Decision& d);
  // Pairs the window's drains and re-assignments, per lead and kind, with
  // history's (the k-th with the k-th) and lists those that differ.
  void DiffFollowUps();
  // History's assignments that missed their SLA (SimulationReport).
  void CountActualSlaMisses();
  void Finish();
  // Indexes history's decisions (the leads.scored ones by lead, the SLA
  // re-assignments by (lead, rep it left), the drains as events) and returns
  // every event to replay, in time order.
  std::vector<Event> IndexHistory();
  void IndexDecision(size_t i, std::vector<Event>& events);
  // A lead is decided when routing decided it (same revision), else when it
  // reached leads.scored.
  int64_t DecidedAt(const HistoryLead& l) const;
  void ReplayEvents(const std::vector<Event>& events);
  // An availability, out-of-office, feedback or drain event.
  void OnEvent(const Event& e);

  std::shared_ptr<const RoutingPolicy> policy_;
  Router router_;
  RepDayCache days_;
  const SimulationHistory& h_;
  const SimulationOptions& o_;
  SimulationReport r_;

  std::unordered_map<std::string, SimRep> reps_;
  std::unordered_map<std::string, SimLead> leads_;
  std::unordered_map<std::string, std::vector<size_t>> actual_by_lead_;  // kScored, time order
  std::vector<bool> actual_used_;
  std::map<std::pair<std::string, std::string>, int64_t> reassign_at_;  // (lead, from rep)
  std::map<std::string, std::map<std::string, std::string>> queues_;    // team -> entry -> lead
  size_t queued_ = 0;
  std::set<std::tuple<int64_t, std::string, int64_t, int64_t>> timers_;  // fire, lead, gen, due
  std::map<std::pair<int64_t, std::string>, int> depth_;                 // (bucket, team)
  int64_t next_boundary_ = 0;
  int64_t replayed_until_ = std::numeric_limits<int64_t>::min();  // last instant replayed
  struct Follow {
    int64_t at = 0;
    int32_t revision = 0;
    rv1::Decision decision;
  };
  // (lead, source) -> the window's simulated drains / re-assignments, time order.
  std::map<std::pair<std::string, DecisionSource>, std::vector<Follow>> sim_follow_;
};

SimRep& Replay::Rep(const std::string& id, int64_t now) {
  SimRep& s = reps_[id];
  std::string day = days_.Day(id, At(now));
  if (day != s.day) {
    s.day = std::move(day);
    s.today = 0;
  }
  return s;
}

RepStateView Replay::ViewOf(const std::vector<std::string>& ids, int64_t now) {
  std::map<std::string, RepState> states;
  for (const auto& id : ids) {
    const SimRep& s = Rep(id, now);
    states[id] = StateOf(s);
  }
  return RepStateView(std::move(states));
}

RepStateView Replay::TeamView(const config::v1::Team& team, int64_t now) {
  std::vector<std::string> ids;
  ids.reserve(team.reps_size());
  for (const auto& rep : team.reps()) ids.push_back(rep.rep_id());
  return ViewOf(ids, now);
}

void Replay::Claim(const std::string& rep, int64_t now) {
  SimRep& s = Rep(rep, now);
  ++s.open;
  ++s.today;
  if (InWindow(now)) {
    ++s.assigned;
    s.peak = std::max(s.peak, s.open);
  }
}

void Replay::Release(const std::string& rep) {
  SimRep& s = reps_[rep];
  if (s.open > 0) --s.open;
}

void Replay::StartTimer(const std::string& lead_id, SimLead& lead, int64_t now) {
  ++lead.timer_gen;
  if (lead.sla_due <= 0) return;
  int64_t fire = lead.sla_due;
  if (!lead.rep.empty()) {
    // A team with an SLA ladder re-assigns after its grace (sla_ladder.h),
    // as the scheduler does.
    if (SlaLadderOf(*policy_, lead.team) != nullptr) {
      fire = std::max(lead.sla_due + 1,
                      SlaGraceEndMillis(*policy_, lead.team, lead.rep, lead.sla_due));
    }
    // The scheduler fires on its tick: when history re-assigned this lead away
    // from this same rep at or after that time, that is when it fired.
    auto it = reassign_at_.find({lead_id, lead.rep});
    if (it != reassign_at_.end() && it->second >= fire) fire = it->second;
  }
  timers_.insert({std::max(fire, now), lead_id, lead.timer_gen, lead.sla_due});
}

void Replay::FireDue(int64_t now) {
  while (!timers_.empty() && std::get<0>(*timers_.begin()) <= now) {
    auto [fire, lead_id, gen, due] = *timers_.begin();
    timers_.erase(timers_.begin());
    auto it = leads_.find(lead_id);
    if (it == leads_.end() || it->second.timer_gen != gen) continue;
    FireTimer(lead_id, due, fire);
  }
}

void Replay::AdvanceTo(int64_t now) {
  for (;;) {
    const int64_t timer =
        timers_.empty() ? std::numeric_limits<int64_t>::max() : std::get<0>(*timers_.begin());
    if (std::min(timer, next_boundary_) > now) return;
    if (timer <= next_boundary_) {
      FireDue(timer);
      continue;
    }
    // A rep's local day or working hours may have begun: the scheduler's
    // next tick drains what became eligible.
    Drain(next_boundary_);
    next_boundary_ += kDrainBoundaryMs;
  }
}

void Replay::FireTimer(const std::string& lead_id, int64_t due, int64_t now) {
  SimLead& lead = leads_[lead_id];
  if (lead.ended || lead.accepted) return;
  const bool first_expiry = due == lead.sla_due;
  if (lead.outcome == rv1::QUEUED) {
    if (first_expiry && InWindow(now)) ++r_.sla_missed_queued;
    return;
  }
  if (!HeldByRep(lead.outcome)) return;
  if (first_expiry && InWindow(now)) ++r_.sla_missed_assigned;
  const auto* team = policy_->FindTeam(lead.team);
  const int64_t retry = now + int64_t{policy_->sla_retry_seconds()} * 1000;
  if (team == nullptr) {
    timers_.insert({retry, lead_id, lead.timer_gen, due});
    return;
  }
  std::set<std::string> exclude(lead.previous.begin(), lead.previous.end());
  exclude.insert(lead.rep);
  rv1::Decision d;
  d.set_outcome(rv1::REASSIGNED);
  d.set_team(lead.team);
  d.set_rules_version(policy_->version());
  d.mutable_decided_at()->set_seconds(now / 1000);
  d.mutable_decided_at()->set_nanos(static_cast<int32_t>(now % 1000) * 1000000);
  AddStep(d, "sla.expired",
          "rep " + lead.rep + " did not accept within " +
              std::to_string(team->sla_business_minutes()) + " business minutes");
  RepStateView view = TeamView(*team, now);
  const std::string rep = router_.PickRep(*team, view, At(now), d, exclude);
  if (rep.empty()) {
    timers_.insert({retry, lead_id, lead.timer_gen, due});
    return;
  }
  d.set_rep_id(rep);
  Release(lead.rep);
  Claim(rep, now);
  lead.previous.push_back(lead.rep);
  lead.rep = rep;
  lead.outcome = rv1::REASSIGNED;
  lead.sla_due = SlaDueMillis(*policy_, lead.team, rep, At(now), &reps_[rep].out_of_office);
  StartTimer(lead_id, lead, now);
  if (InWindow(now)) ++r_.sla_reassigned;
  FollowUp(lead_id, DecisionSource::kSlaReassign, now, d);
  Trace(lead_id, d);
}

void Replay::SampleQueue(const std::string& team, int64_t now) {
  if (!InWindow(now)) return;
  const int64_t bucket =
      now - ((now % o_.queue_bucket_ms) + o_.queue_bucket_ms) % o_.queue_bucket_ms;
  int& m = depth_[{bucket, team}];
  m = std::max(m, static_cast<int>(queues_[team].size()));
}

void Replay::Drain(int64_t now) {
  if (queued_ == 0) return;
  for (const auto& team : policy_->rules().teams()) {
    auto q = queues_.find(team.team_id());
    if (q == queues_.end() || q->second.empty()) continue;
    RepStateView view = TeamView(team, now);
    while (!q->second.empty()) {
      auto head = q->second.begin();
      const std::string lead_id = head->second;
      SimLead& lead = leads_[lead_id];
      if (lead.outcome != rv1::QUEUED || lead.team != team.team_id() || lead.ended) {
        q->second.erase(head);
        --queued_;
        continue;
      }
      rv1::Decision d = lead.queued_decision;
      const int64_t waited_s = (now - MillisOf(d.decided_at())) / 1000;
      AddStep(d, "queue." + team.team_id(),
              "capacity freed after " + std::to_string(waited_s) + " s in the team queue");
      const std::string rep = router_.PickRep(team, view, At(now), d);
      if (rep.empty()) break;  // nobody eligible: the rest wait too
      d.set_outcome(rv1::ASSIGNED);
      d.set_rep_id(rep);
      d.mutable_decided_at()->set_seconds(now / 1000);
      d.mutable_decided_at()->set_nanos(static_cast<int32_t>(now % 1000) * 1000000);
      Claim(rep, now);
      const SimRep& s = reps_[rep];
      view.Set(rep, StateOf(s));
      q->second.erase(head);
      --queued_;
      lead.outcome = rv1::ASSIGNED;
      lead.rep = rep;
      lead.queued_decision.Clear();
      lead.sla_due = SlaDueMillis(*policy_, team.team_id(), rep, At(now), &s.out_of_office);
      StartTimer(lead_id, lead, now);
      if (InWindow(now)) ++r_.queue_drains;
      SampleQueue(team.team_id(), now);
      FollowUp(lead_id, DecisionSource::kQueueDrain, now, d);
      Trace(lead_id, d);
    }
  }
}

const HistoryDecision* Replay::ActualFor(const std::string& lead_id, int32_t revision,
                                         bool consume) {
  auto it = actual_by_lead_.find(lead_id);
  if (it == actual_by_lead_.end()) return nullptr;
  for (int32_t want : {revision, 0}) {
    for (size_t i : it->second) {
      if (!actual_used_[i] && h_.decisions[i].revision == want) {
        if (consume) actual_used_[i] = true;
        return &h_.decisions[i];
      }
    }
  }
  return nullptr;
}

bool Replay::WouldDecide(const sv1::LeadScored& scored) const {
  auto it = leads_.find(scored.lead().meta().lead_id());
  return it == leads_.end() ||
         (scored.revision() > it->second.revision && it->second.outcome == rv1::NURTURE);
}

int Replay::TrialMismatches(const std::vector<size_t>& order, int64_t now) {
  Router trial = router_;  // the round robin as it stands
  std::vector<std::string> ids;
  for (size_t i : order) {
    for (auto& id : RepsConsulted(*policy_, h_.leads[i].scored)) ids.push_back(std::move(id));
  }
  RepStateView view = ViewOf(ids, now);
  int mismatches = 0;
  for (size_t i : order) {
    const auto& scored = h_.leads[i].scored;
    const RoutingResult r = trial.Decide(scored, view, At(now));
    if (TakesRep(r.decision)) view.CountClaim(r.decision.rep_id());
    const HistoryDecision* a =
        ActualFor(scored.lead().meta().lead_id(), scored.revision(), /*consume=*/false);
    if (a == nullptr) continue;
    mismatches += a->decision.outcome() != r.decision.outcome() ||
                  a->decision.team() != r.decision.team() ||
                  a->decision.rep_id() != r.decision.rep_id();
  }
  return mismatches;
}

// History records when a batch was decided but not in which order its leads
// were: the consumer hands over each partition's records in offset order, the
// partitions in an order of its own. Leads that look at no rep cannot affect
// each other; for the others, the order of their partitions is the one whose
// decisions match history best (every order while that costs at most
// kMaxTrialDecisions trial decisions, else built greedily one partition at a
// time), ascending partitions first among equals.
void Replay::OnBatch(std::vector<size_t> leads, int64_t now) {
  std::vector<size_t> free;
  std::map<int32_t, std::vector<size_t>> groups;
  for (size_t i : leads) {
    const auto& scored = h_.leads[i].scored;
    if (WouldDecide(scored) && !RepsConsulted(*policy_, scored).empty()) {
      groups[h_.leads[i].partition].push_back(i);
    } else {
      free.push_back(i);
    }
  }
  std::vector<int32_t> parts;
  size_t consulting_count = 0;
  for (const auto& [p, g] : groups) {
    parts.push_back(p);
    consulting_count += g.size();
  }
  auto flatten = [&](const std::vector<int32_t>& ps) {
    std::vector<size_t> order;
    for (int32_t p : ps) order.insert(order.end(), groups[p].begin(), groups[p].end());
    return order;
  };
  if (parts.size() > 1) {
    int best = TrialMismatches(flatten(parts), now);
    std::vector<int32_t> best_parts = parts;
    int64_t orders = 1;  // parts.size()! orders, tried only while that stays cheap
    for (size_t n = 2; n <= parts.size() && orders <= kMaxTrialDecisions; ++n) orders *= n;
    if (best > 0 && orders * static_cast<int64_t>(consulting_count) <= kMaxTrialDecisions) {
      std::vector<int32_t> perm = parts;
      while (best > 0 && std::next_permutation(perm.begin(), perm.end())) {
        const int m = TrialMismatches(flatten(perm), now);
        if (m < best) {
          best = m;
          best_parts = perm;
        }
      }
    } else if (best > 0) {
      std::vector<int32_t> chosen, left = parts;
      while (!left.empty()) {
        size_t pick = 0;
        int pick_m = std::numeric_limits<int>::max();
        for (size_t k = 0; k < left.size(); ++k) {
          std::vector<int32_t> trial = chosen;
          trial.push_back(left[k]);
          const int m = TrialMismatches(flatten(trial), now);
          if (m < pick_m) {
            pick_m = m;
            pick = k;
          }
        }
        chosen.push_back(left[pick]);
        left.erase(left.begin() + static_cast<std::ptrdiff_t>(pick));
      }
      if (TrialMismatches(flatten(chosen), now) < best) best_parts = chosen;
    }
    parts = best_parts;
  }
  for (size_t i : free) OnLead(h_.leads[i], now);
  for (size_t i : flatten(parts)) OnLead(h_.leads[i], now);
}

void Replay::Compare(const std::string& lead_id, int32_t revision, int64_t now,
                     const rv1::Decision* actual, const rv1::Decision* simulated) {
  if (!InWindow(now)) return;
  ++r_.leads_in_window;
  if (actual != nullptr) ++r_.actual_outcomes[rv1::RoutingOutcome_Name(actual->outcome())];
  if (simulated != nullptr) {
    ++r_.simulated_outcomes[rv1::RoutingOutcome_Name(simulated->outcome())];
  }
  if (actual == nullptr && simulated != nullptr) {
    ++r_.unmatched;
    return;
  }
  const rv1::Decision none;
  AddChange(lead_id, revision, now, DecisionSource::kScored, actual != nullptr ? *actual : none,
            simulated != nullptr ? *simulated : none);
}

bool Replay::AddChange(const std::string& lead_id, int32_t revision, int64_t at,
                       DecisionSource source, const rv1::Decision& a, const rv1::Decision& s) {
  const bool outcome = a.outcome() != s.outcome();
  const bool team = a.team() != s.team();
  const bool rep = a.rep_id() != s.rep_id();
  if (!outcome && !team && !rep) return false;
  if (outcome) ++r_.changes_by_kind["outcome"];
  if (team) ++r_.changes_by_kind["team"];
  if (rep) ++r_.changes_by_kind["rep"];
  ++r_.changes_by_source[SourceName(source)];
  r_.changes.push_back({lead_id, revision, at, source, a, s});
  return true;
}

void Replay::FollowUp(const std::string& lead_id, DecisionSource source, int64_t now,
                      const rv1::Decision& d) {
  if (!InWindow(now)) return;
  sim_follow_[{lead_id, source}].push_back({now, leads_[lead_id].revision, d});
}

void Replay::DiffFollowUps() {
  // History's, in time order (decisions are indexed that way in Run()).
  std::map<std::pair<std::string, DecisionSource>, std::vector<const HistoryDecision*>> actual;
  for (const auto& d : h_.decisions) {
    if (d.source == DecisionSource::kScored || !InWindow(d.at_ms)) continue;
    actual[{d.lead_id, d.source}].push_back(&d);
  }
  for (auto& [key, list] : actual) {
    std::stable_sort(
        list.begin(), list.end(),
        [](const HistoryDecision* a, const HistoryDecision* b) { return a->at_ms < b->at_ms; });
  }
  std::set<std::pair<std::string, DecisionSource>> keys;
  for (const auto& [key, v] : actual) keys.insert(key);
  for (const auto& [key, v] : sim_follow_) keys.insert(key);
  const rv1::Decision none;
  for (const auto& key : keys) {
    const auto a_it = actual.find(key);
    const auto s_it = sim_follow_.find(key);
    const size_t na = a_it == actual.end() ? 0 : a_it->second.size();
    const size_t ns = s_it == sim_follow_.end() ? 0 : s_it->second.size();
    for (size_t k = 0; k < std::max(na, ns); ++k) {
      const HistoryDecision* a = k < na ? a_it->second[k] : nullptr;
      const Follow* s = k < ns ? &s_it->second[k] : nullptr;
      AddChange(key.first, s != nullptr ? s->revision : a->revision,
                s != nullptr ? s->at : a->at_ms, key.second, a != nullptr ? a->decision : none,
                s != nullptr ? s->decision : none);
    }
  }
}

void Replay::CountActualSlaMisses() {
  std::unordered_map<std::string, std::vector<int64_t>> answered;  // lead -> feedback times
  for (const auto& f : h_.feedback) {
    const auto kind = f.feedback.kind();
    if (kind == rv1::ACCEPT || kind == rv1::REJECT || kind == rv1::CLOSE) {
      answered[f.feedback.lead_id()].push_back(f.at_ms);
    }
  }
  for (auto& [lead, times] : answered) std::sort(times.begin(), times.end());
  for (const auto& d : h_.decisions) {
    if (d.sla_due_ms <= 0 || !HeldByRep(d.decision.outcome()) || d.decision.rep_id().empty()) {
      continue;
    }
    // A timer still running when the replay ends does not count (as in the
    // simulation).
    if (!InWindow(d.sla_due_ms) || d.sla_due_ms > replayed_until_) continue;
    bool in_time = false;
    if (auto it = answered.find(d.lead_id); it != answered.end()) {
      auto first = std::lower_bound(it->second.begin(), it->second.end(), d.at_ms);
      in_time = first != it->second.end() && *first <= d.sla_due_ms;
    }
    if (!in_time) ++r_.actual_sla_missed_assigned;
  }
}

void Replay::OnLead(const HistoryLead& h, int64_t now) {
  const sv1::LeadScored& scored = h.scored;
  const std::string& id = scored.lead().meta().lead_id();
  const int32_t revision = scored.revision();
  const HistoryDecision* actual = ActualFor(id, revision);
  auto existing = leads_.find(id);
  const bool replace = existing != leads_.end() && revision > existing->second.revision &&
                       existing->second.outcome == rv1::NURTURE;
  if (existing != leads_.end() && !replace) {
    // A redelivery, or a rescore of a lead routing still holds: not re-routed.
    if (actual != nullptr) Compare(id, revision, now, &actual->decision, nullptr);
    return;
  }
  ++r_.leads_replayed;
  RepStateView view = ViewOf(RepsConsulted(*policy_, scored), now);
  RoutingResult result = router_.Decide(scored, view, At(now));
  rv1::Decision& d = result.decision;
  if (replace) {
    AddStep(d, "order.rescore",
            "revision " + std::to_string(revision) + " re-routed after nurture");
  }
  SimLead& lead = leads_[id];
  lead = SimLead{};
  lead.scored = &scored;
  lead.revision = revision;
  lead.outcome = d.outcome();
  lead.team = d.team();
  lead.rep = d.rep_id();
  lead.sla_due = result.sla_due_ms;
  if (TakesRep(d)) {
    Claim(d.rep_id(), now);
    StartTimer(id, lead, now);
  } else if (d.outcome() == rv1::QUEUED) {
    lead.queue_entry = QueueEntry(policy_->queue_order(), scored, now, id);
    lead.queued_decision = d;
    if (queues_[d.team()].emplace(lead.queue_entry, id).second) ++queued_;
    SampleQueue(d.team(), now);
    StartTimer(id, lead, now);
  }
  Trace(id, d);
  Compare(id, revision, now, actual != nullptr ? &actual->decision : nullptr, &d);
}

void Replay::OnFeedback(const HistoryFeedback& f, int64_t now) {
  const auto& fb = f.feedback;
  auto it = leads_.find(fb.lead_id());
  if (it == leads_.end()) return;
  SimLead& lead = it->second;
  if (lead.ended || !HeldByRep(lead.outcome)) return;  // nothing held here
  switch (fb.kind()) {
    case rv1::ACCEPT:
      // Accepted after the due time (in a ladder's grace, or before the
      // scheduler's tick): a miss all the same.
      if (lead.sla_due > 0 && now > lead.sla_due && InWindow(now)) ++r_.sla_missed_assigned;
      lead.accepted = true;
      ++lead.timer_gen;  // the SLA timer stops
      return;
    case rv1::REJECT:
    case rv1::CLOSE: {
      Release(lead.rep);
      ++lead.timer_gen;
      const bool protected_return = fb.kind() == rv1::REJECT && lead.scored != nullptr &&
                                    IsLargeClientSegment(lead.scored->segment()) &&
                                    policy_->IsProtectedRejectReason(fb.reject_reason());
      if (protected_return) {
        lead.outcome = rv1::NURTURE;  // a later rescore routes it again
        lead.rep.clear();
      } else {
        lead.ended = true;
      }
      Drain(now);
      return;
    }
    default:
      return;
  }
}

void Replay::Trace(const std::string& lead_id, const rv1::Decision& d) {
  if (o_.trace_lead.empty() || lead_id != o_.trace_lead) return;
  r_.lead_simulated.push_back(d);
}

void Replay::Finish() {
  // Per rep, in the candidate's config order, then reps only history knows.
  std::map<std::string, int64_t> team_sim, team_actual;
  for (const auto& [id, s] : reps_) {
    const RepPolicy* rp = policy_->FindRep(id);
    const std::string team = rp != nullptr ? rp->team_id : s.actual_team;
    team_sim[team] += s.assigned;
    team_actual[team] += s.actual_assigned;
  }
  auto row = [&](const std::string& id, const std::string& team, int weight, double wshare) {
    const SimRep& s = reps_[id];
    RepLoad l;
    l.rep_id = id;
    l.team = team;
    l.weight = weight;
    l.weight_share = wshare;
    l.assigned = s.assigned;
    l.actual_assigned = s.actual_assigned;
    l.peak_open = s.peak;
    l.open_at_end = s.open;
    if (team_sim[team] > 0) l.share = static_cast<double>(s.assigned) / team_sim[team];
    if (team_actual[team] > 0) {
      l.actual_share = static_cast<double>(s.actual_assigned) / team_actual[team];
    }
    l.off_weight = wshare > 0 && team_sim[team] >= o_.fairness_min_team_assignments &&
                   std::fabs(l.share - wshare) * 100 > o_.fairness_tolerance_pct;
    r_.reps.push_back(l);
  };
  std::set<std::string> listed;
  for (const auto& team : policy_->rules().teams()) {
    int64_t total = 0;
    for (const auto& rep : team.reps()) total += rep.weight() > 0 ? rep.weight() : 1;
    for (const auto& rep : team.reps()) {
      const int w = rep.weight() > 0 ? rep.weight() : 1;
      row(rep.rep_id(), team.team_id(), w, total > 0 ? static_cast<double>(w) / total : 0);
      listed.insert(rep.rep_id());
    }
  }
  std::vector<std::string> others;
  for (const auto& [id, s] : reps_) {
    if (!listed.count(id) && s.actual_assigned > 0) others.push_back(id);
  }
  std::sort(others.begin(), others.end());
  for (const auto& id : others) row(id, reps_[id].actual_team, 0, 0);
  for (const auto& [key, depth] : depth_) r_.queue_depth.push_back({key.first, key.second, depth});
  DiffFollowUps();
  CountActualSlaMisses();
  std::stable_sort(r_.changes.begin(), r_.changes.end(), [](const auto& a, const auto& b) {
    return std::tie(a.at_ms, a.lead_id) < std::tie(b.at_ms, b.lead_id);
  });
}

SimulationReport Replay::Run() {
  r_.rules_version = policy_->version();
  r_.from_ms = o_.from_ms;
  r_.to_ms = o_.to_ms;
  r_.fairness_tolerance_pct = o_.fairness_tolerance_pct;
  ReplayEvents(IndexHistory());
  if (o_.to_ms != std::numeric_limits<int64_t>::max()) {
    AdvanceTo(o_.to_ms - 1);
    replayed_until_ = o_.to_ms - 1;
  }
  Finish();
  return std::move(r_);
}

std::vector<Event> Replay::IndexHistory() {
  actual_used_.assign(h_.decisions.size(), false);
  std::vector<Event> events;
  events.reserve(h_.leads.size() + h_.feedback.size() + h_.availability.size() +
                 h_.out_of_office.size() + h_.decisions.size() / 8);
  std::vector<size_t> order(h_.decisions.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return h_.decisions[a].at_ms < h_.decisions[b].at_ms;
  });
  for (size_t i : order) IndexDecision(i, events);
  for (size_t i = 0; i < h_.leads.size(); ++i) {
    const HistoryLead& l = h_.leads[i];
    events.push_back({DecidedAt(l), kLead, l.partition, l.offset, i});
  }
  for (size_t i = 0; i < h_.feedback.size(); ++i) {
    events.push_back({h_.feedback[i].at_ms, kFeedback, 0, 0, i});
  }
  for (size_t i = 0; i < h_.availability.size(); ++i) {
    events.push_back({h_.availability[i].at_ms, kAvailability, 0, 0, i});
  }
  for (size_t i = 0; i < h_.out_of_office.size(); ++i) {
    events.push_back({h_.out_of_office[i].at_ms, kOutOfOffice, 0, 0, i});
  }
  std::sort(events.begin(), events.end());
  return events;
}

void Replay::IndexDecision(size_t i, std::vector<Event>& events) {
  const HistoryDecision& d = h_.decisions[i];
  if (d.source == DecisionSource::kScored) {
    actual_by_lead_[d.lead_id].push_back(i);
  } else if (d.source == DecisionSource::kSlaReassign && !d.previous_reps.empty()) {
    reassign_at_.emplace(std::make_pair(d.lead_id, d.previous_reps.back()), d.at_ms);
  } else if (d.source == DecisionSource::kQueueDrain) {
    events.push_back({d.at_ms, kDrainMark, 0, 0, i});
  }
  if (d.at_ms >= o_.to_ms) return;
  if (InWindow(d.at_ms) && !d.decision.rep_id().empty() && HeldByRep(d.decision.outcome())) {
    SimRep& s = reps_[d.decision.rep_id()];
    ++s.actual_assigned;
    if (d.source == DecisionSource::kQueueDrain) ++r_.actual_queue_drains;
    if (d.source == DecisionSource::kSlaReassign) ++r_.actual_sla_reassigned;
    if (s.actual_team.empty()) s.actual_team = d.decision.team();
  }
  if (!o_.trace_lead.empty() && d.lead_id == o_.trace_lead) r_.lead_actual.push_back(d.decision);
}

int64_t Replay::DecidedAt(const HistoryLead& l) const {
  auto it = actual_by_lead_.find(l.scored.lead().meta().lead_id());
  if (it == actual_by_lead_.end()) return l.at_ms;
  for (size_t j : it->second) {
    if (h_.decisions[j].revision == l.scored.revision()) return h_.decisions[j].at_ms;
  }
  return l.at_ms;
}

void Replay::ReplayEvents(const std::vector<Event>& events) {
  size_t done = 0, next_report = o_.progress_every;
  if (!events.empty()) {
    const int64_t first = events.front().at;
    next_boundary_ = first - ((first % kDrainBoundaryMs) + kDrainBoundaryMs) % kDrainBoundaryMs +
                     kDrainBoundaryMs;
  }
  for (size_t k = 0; k < events.size(); ++k) {
    const Event& e = events[k];
    if (e.at >= o_.to_ms) break;
    AdvanceTo(e.at);
    replayed_until_ = e.at;
    if (e.kind == kLead) {
      // The leads of one instant: one consumer batch.
      std::vector<size_t> batch{e.index};
      while (k + 1 < events.size() && events[k + 1].kind == kLead && events[k + 1].at == e.at) {
        batch.push_back(events[++k].index);
      }
      done += batch.size() - 1;
      OnBatch(std::move(batch), e.at);
    } else {
      OnEvent(e);
    }
    done += 1;
    if (o_.progress && done >= next_report) {
      o_.progress(done, events.size());
      next_report = done + o_.progress_every;
    }
  }
}

void Replay::OnEvent(const Event& e) {
  switch (e.kind) {
    case kAvailability: {
      const auto& a = h_.availability[e.index];
      reps_[a.rep_id].availability = a.availability;
      Drain(e.at);
      break;
    }
    case kOutOfOffice: {
      const auto& o = h_.out_of_office[e.index];
      reps_[o.rep_id].out_of_office = o.windows;
      Drain(e.at);
      break;
    }
    case kFeedback:
      OnFeedback(h_.feedback[e.index], e.at);
      break;
    case kDrainMark:
      Drain(e.at);
      break;
  }
}

}  // namespace

SimulationReport RuleSimulation::Run(const SimulationHistory& history,
                                     const SimulationOptions& options) const {
  Replay replay(policy_, history, options);
  return replay.Run();
}

}  // namespace leadflow::routing
