#include "routing/app/routing_state_rebuild.h"

#include <chrono>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include "common/kafka/topics.h"
#include "common/lifecycle/interruptible_sleep.h"
#include "common/log/log.h"
#include "common/metrics/service_metrics.h"
#include "common/redis/reply.h"
#include "leadflow/common/v1/dead_letter.pb.h"
#include "routing/app/decision_record.h"
#include "routing/app/out_of_office_store.h"
#include "routing/app/routing_keys.h"
#include "routing/app/routing_outputs.h"
#include "routing/domain/business_time.h"
#include "routing/domain/cohort.h"
#include "routing/domain/feedback.h"
#include "routing/domain/out_of_office.h"
#include "routing/domain/queue_order.h"
#include "routing/domain/state_replay.h"
#include "routing/domain/won_deal.h"

namespace leadflow::routing {
namespace {

constexpr metrics::ServiceMetrics::Family kStateReady{
    "state_ready",
    "1 when routing's Redis state is complete; 0 while it is rebuilt from the topics (routing "
    "refuses to decide meanwhile)."};

namespace rv1 = leadflow::routing::v1;

const std::string kPrefix = kRoutingKeyPrefix;
constexpr int64_t kDailyTtlSeconds = 3 * 86400;
constexpr int64_t kLeaseMs = 5 * 60 * 1000;
constexpr size_t kChunk = 1000;

int64_t Millis(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

bool HoldsARep(rv1::RoutingOutcome o) {
  return o == rv1::ASSIGNED || o == rv1::NAMED_OWNER || o == rv1::REASSIGNED;
}

// UTC days around now: every rep's last local days are among them.
std::set<std::string> RecentDays(int64_t now_ms) {
  std::set<std::string> days;
  for (int k = -3; k <= 1; ++k) {
    const std::time_t t = static_cast<std::time_t>(now_ms / 1000 + k * 86400);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    days.insert(buf);
  }
  return days;
}

// Sends commands in chunks of one pipelined round trip each. The first error
// reply fails the rebuild (it is retried from the start, and the marker is set
// last): nothing more is sent, and Flush() returns that error.
class Writer {
 public:
  explicit Writer(redis::Client& redis) : redis_(redis) {}
  void Add(redis::Command c) {
    if (!status_.ok()) return;
    cmds_.push_back(std::move(c));
    if (cmds_.size() >= kChunk) Flush();
  }
  Status Flush() {
    if (!status_.ok() || cmds_.empty()) return status_;
    status_ = redis::ExpectAllOk(redis_.Pipeline(cmds_), "routing state rebuild");
    cmds_.clear();
    return status_;
  }
  bool ok() const { return status_.ok(); }

 private:
  redis::Client& redis_;
  std::vector<redis::Command> cmds_;
  Status status_ = Status::Ok();
};

// The funnel's keys (cohort_store.h): each cohort's leads from leads.cohorts
// (`cohorts`: cohort name -> lead ids), and each won deal of the state, in its
// cohort's won deals and, when won in the last twelve months, in the won
// ledger of its month, as the feedback script wrote them.
void WriteFunnel(Writer& w, const RoutingStateReplay::State& state,
                 const std::map<std::string, std::pair<MonthIndex, std::set<std::string>>>& cohorts,
                 int64_t now) {
  for (const auto& [name, cohort] : cohorts) {
    const auto& [month, ids] = cohort;
    if (CohortExpiresAtSeconds(month) * 1000 <= now) continue;
    redis::Command pfadd{"PFADD", CohortLeadsKey(name)};
    pfadd.insert(pfadd.end(), ids.begin(), ids.end());
    w.Add(std::move(pfadd));
    w.Add({"EXPIREAT", CohortLeadsKey(name), std::to_string(CohortExpiresAtSeconds(month))});
  }
  const MonthIndex this_month = MonthIndexOf(now);
  for (const auto& [lead_id, lead] : state.leads) {
    rv1::DealOutcome outcome = rv1::DEAL_OUTCOME_UNSPECIFIED;
    leadflow::common::v1::ReasonCode loss = leadflow::common::v1::REASON_UNSPECIFIED;
    if (lead.last_feedback.rfind("close|", 0) != 0 ||
        !ParseCloseDetail(lead.last_detail, &outcome, &loss) || outcome != rv1::WON) {
      continue;
    }
    const WonRecord won = WonRecordOf(lead.record.scored(), lead.value_rub, lead.last_at_ms);
    if (MonthIndexOf(won.won_at_ms) > this_month - kWonWindowMonths) {
      w.Add({"HSET", WonLedgerKey(won.month), lead_id, won.entry});
      w.Add({"EXPIREAT", WonLedgerKey(won.month), std::to_string(won.ledger_expires_at)});
    }
    if (won.cohort.empty() || won.cohort_expires_at * 1000 <= now) continue;
    w.Add({"ZADD", CohortWonKey(won.cohort), std::to_string(won.won_at_ms), lead_id});
    w.Add({"EXPIREAT", CohortWonKey(won.cohort), std::to_string(won.cohort_expires_at)});
  }
}

// Deletes every key matching `pattern` (a family the rebuild owns outright).
Status DeleteMatching(redis::Client& redis, Writer& w, const std::string& pattern) {
  std::string cursor = "0";
  do {
    auto r = redis.Run({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!r.ok()) return r.status();
    if (Status s = redis::ExpectArray(*r, 2, "routing state rebuild SCAN"); !s.ok()) return s;
    cursor = r->elements[0].str;
    for (const auto& k : r->elements[1].elements) w.Add({"DEL", k.str});
  } while (cursor != "0" && w.ok());
  return w.Flush();
}

// The families the rebuild owns outright start empty (a partial earlier
// rebuild, or state older than the topics' retention, must not linger).
Status ClearOwnedKeys(redis::Client& redis, Writer& w) {
  for (const char* family : {"open:*", "open-set:*", "daily:*", "queue:*", "cohort:*", "won:*"}) {
    if (Status d = DeleteMatching(redis, w, kPrefix + family); !d.ok()) return d;
  }
  // The SLA ladder (sla_ladder_store.h) is not replayed: the scheduler
  // recomputes it from the restored SLA timers and each assignment's time (a
  // step fired before the loss may be sent again, with the same due_at).
  for (const char* key :
       {"sla", "outbox", "availability", "out-of-office", "stalls", "sla-ladder"}) {
    w.Add({"DEL", kPrefix + key});
  }
  return Status::Ok();
}

// Routing's disqualification of a lead, from its leads.rejected record.
bool DisqualifiedDecision(const std::string& payload, rv1::LeadAssigned* r) {
  leadflow::common::v1::LeadRejected x;
  if (!x.ParseFromString(payload) || !x.disqualified() ||
      x.stage() != leadflow::common::v1::ROUTING || x.meta().lead_id().empty()) {
    return false;
  }
  *r->mutable_scored()->mutable_lead()->mutable_meta() = x.meta();
  r->mutable_decision()->set_outcome(rv1::DISQUALIFIED);
  *r->mutable_decision()->mutable_decided_at() = x.rejected_at();
  return true;
}

// The TTL (seconds) of the lead's record as routing keeps it
// (decision_record.h): none (0) while it is open or queued; else what is left
// of its window since the decision; nullopt when it would have expired by now.
std::optional<int64_t> RecordTtlSeconds(const RoutingStateReplay::Lead& lead, int64_t now) {
  if (lead.open || lead.queued) return 0;
  const rv1::Decision& d = lead.record.decision();
  const auto window = HoldsARep(d.outcome()) ? kOwnedRecordTtl : kRedeliveryWindow;
  const int64_t ttl_s = (Millis(d.decided_at()) + window.count() * 1000 - now) / 1000;
  if (ttl_s <= 0) return std::nullopt;
  return ttl_s;
}

// The deal stage's fields of the feedback tags, as the feedback script writes
// them (its probability as configured now).
void AppendStageFields(const RoutingStateReplay::Lead& lead, const DealStageInfo* stage,
                       redis::Command& hset) {
  for (const auto& [field, value] : std::initializer_list<std::pair<const char*, std::string>>{
           {"stage", lead.stage},
           {"stage_ver", std::to_string(lead.stage_at_ms)},
           {"value", std::to_string(lead.value_rub)},
           {"p", std::to_string(stage ? stage->win_probability_pct : 0)},
           {"from", lead.previous_stage},
           {"from_ms", std::to_string(lead.ms_in_previous_stage)}}) {
    hset.push_back(field);
    hset.push_back(value);
  }
  if (lead.stalled_version > 0) {
    hset.push_back("stalled");
    hset.push_back(std::to_string(lead.stalled_version));
  }
}

// The lead's feedback tags (sales_state.h FeedbackTags), as the feedback
// script writes them: the last feedback, who accepted, the sales state's
// detail and version, and the deal stage.
redis::Command FeedbackTagsCommand(const std::string& lead_id, const RoutingStateReplay::Lead& lead,
                                   const DealStageInfo* stage) {
  redis::Command hset{"HSET", FeedbackKey(lead_id), "last", lead.last_feedback};
  if (lead.accepted) {
    hset.push_back("accepted_by");
    hset.push_back(lead.record.decision().rep_id());
    if (lead.accepted_at_ms > 0) {
      hset.push_back("accepted_ver");
      hset.push_back(std::to_string(lead.accepted_at_ms));
    }
  }
  if (!lead.last_detail.empty()) {
    hset.push_back(lead.last_feedback.substr(0, lead.last_feedback.find('|')));
    hset.push_back(lead.last_detail);
  }
  if (lead.last_at_ms > 0) {
    hset.push_back("ver");
    hset.push_back(std::to_string(lead.last_at_ms));
  }
  if (!lead.stage.empty()) AppendStageFields(lead, stage, hset);
  return hset;
}

// One lead's decision record, feedback tags, stall and SLA timers, in the
// forms and with the lifetimes routing gives them (decision_record.h).
void WriteLead(Writer& w, const std::string& lead_id, const RoutingStateReplay::Lead& lead,
               const DealStages& stages, int64_t now) {
  const std::optional<int64_t> ttl_s = RecordTtlSeconds(lead, now);
  if (!ttl_s) return;  // would have expired by now
  if (*ttl_s == 0) {
    w.Add({"SET", DecisionKey(lead_id), lead.record.SerializeAsString()});
  } else {
    w.Add({"SET", DecisionKey(lead_id), Slim(lead.record).SerializeAsString(), "EX",
           std::to_string(*ttl_s)});
  }
  if (!lead.last_feedback.empty()) {
    const DealStageInfo* stage = lead.stage.empty() ? nullptr : stages.Find(lead.stage);
    w.Add(FeedbackTagsCommand(lead_id, lead, stage));
    // The stall timer of a stay that has not stalled yet (due now or later).
    if (lead.open && stage != nullptr && lead.stalled_version == 0 && lead.stage_at_ms > 0) {
      w.Add({"ZADD", StallTimersKey(), std::to_string(lead.stage_at_ms + stage->max_ms), lead_id});
    }
    if (*ttl_s > 0) w.Add({"EXPIRE", FeedbackKey(lead_id), std::to_string(*ttl_s)});
  }
  if (lead.sla_due_ms > 0) {
    w.Add({"ZADD", SlaTimersKey(), std::to_string(lead.sla_due_ms), lead_id});
  }
}

// Each rep's open leads (the set and its counter) and daily counts. Returns
// how many leads are open.
size_t WriteRepLoads(Writer& w, const RoutingStateReplay::State& state) {
  size_t open = 0;
  for (const auto& [rep, ids] : state.open) {
    redis::Command sadd{"SADD", OpenSetKey(rep)};
    sadd.insert(sadd.end(), ids.begin(), ids.end());
    open += ids.size();
    w.Add(std::move(sadd));
    w.Add({"SET", OpenLeadsKey(rep), std::to_string(ids.size())});
  }
  for (const auto& [key, count] : state.daily) {
    w.Add({"SET", DailyCountKey(key.first, key.second), std::to_string(count), "EX",
           std::to_string(kDailyTtlSeconds)});
  }
  return open;
}

// The team queues. The entries carry their rank (queue_order.h): the rebuilt
// queue drains in the order the live one did. Returns how many leads wait.
size_t WriteQueues(Writer& w, const RoutingStateReplay::State& state) {
  size_t queued = 0;
  for (const auto& [team, entries] : state.queues) {
    redis::Command zadd{"ZADD", TeamQueueKey(team)};
    zadd.reserve(2 + 2 * entries.size());
    for (const auto& e : entries) {
      zadd.push_back("0");
      zadd.push_back(e);
    }
    queued += entries.size();
    w.Add(std::move(zadd));
  }
  return queued;
}

// Each rep's availability and out-of-office windows.
void WriteRepPresence(Writer& w, const RoutingStateReplay::State& state) {
  for (const auto& [rep, a] : state.availability) {
    w.Add({"HSET", AvailabilityKey(), rep, std::to_string(static_cast<int>(a))});
  }
  for (const auto& [rep, set] : state.out_of_office) {
    w.Add({"HSET", OutOfOfficeStore::Key(), rep, OutOfOfficeStore::Value(set.second, set.first)});
  }
}

}  // namespace

RoutingStateRebuild::RoutingStateRebuild(redis::Client& redis,
                                         std::shared_ptr<const RoutingPolicy> policy,
                                         TopicScan scan, std::string instance_id,
                                         const Clock& clock, metrics::ServiceMetrics* metrics)
    : redis_(redis),
      policy_(std::move(policy)),
      scan_(std::move(scan)),
      instance_id_(std::move(instance_id)),
      clock_(clock),
      metrics_(metrics) {
  SetReady(false);
}

void RoutingStateRebuild::Run(const std::atomic<bool>& stop, std::chrono::milliseconds interval) {
  while (!stop.load()) {
    if (Status s = Check(); !s.ok()) {
      log::Warn("routing state check failed; will retry", {{"error", s.message()}});
    }
    lifecycle::SleepUnlessStopped(stop, interval);
  }
}

Status RoutingStateRebuild::Check() {
  auto complete = StateComplete();
  if (!complete.ok()) {
    SetReady(false);
    return complete.status();
  }
  if (*complete) {
    SetReady(true);
    return Status::Ok();
  }
  if (ready_.load()) log::Warn("routing state lost in Redis; refusing to route until rebuilt");
  SetReady(false);
  const std::string lease = kPrefix + "rebuild-lease";
  auto took = redis_.Run({"SET", lease, instance_id_, "NX", "PX", std::to_string(kLeaseMs)});
  if (!took.ok()) return took.status();
  if (Status e = redis::ExpectOk(*took, "routing state rebuild lease"); !e.ok()) return e;
  if (took->is_nil()) return Status::Ok();  // another replica rebuilds; wait for the marker
  const auto started = std::chrono::steady_clock::now();
  Status s = Rebuild();
  (void)redis_.Run({"DEL", lease});
  if (!s.ok()) return s;
  CountRebuild(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  SetReady(true);
  return Status::Ok();
}

StatusOr<bool> RoutingStateRebuild::StateComplete() {
  auto marker = redis_.Run({"EXISTS", RoutingStateKey()});
  if (!marker.ok()) return marker.status();
  auto exists = redis::ExpectInteger(*marker, "routing state check");
  if (!exists.ok()) return exists.status();
  if (*exists != 1) return false;
  if (layout_checked_) return true;
  // The queues must be ranked by this process's order (queue_order.h). A
  // changed order, or queues from before ranked queues (FIFO lists, no
  // order recorded), cannot be re-ranked in place: the state is rebuilt
  // from the topics, which ranks every queued lead by the current order
  // (docs/state.md, queue:<team>); until then nothing routes.
  auto recorded = redis_.Run({"GET", kPrefix + "queue-order"});
  if (!recorded.ok()) return recorded.status();
  const std::string want = QueueOrderName(policy_->queue_order());
  bool complete = true;
  if (recorded->is_nil() || recorded->str != want) {
    log::Warn("team queues ranked by another order; rebuilding routing state",
              {{"recorded", recorded->is_nil() ? "none" : recorded->str}, {"order", want}});
    auto del = redis_.Run({"DEL", RoutingStateKey()});
    if (!del.ok()) return del.status();
    complete = false;
  }
  layout_checked_ = true;
  return complete;
}

void RoutingStateRebuild::CountRebuild(double seconds) {
  if (!metrics_) return;
  metrics_->registry()
      .GetCounter(metrics_->Name("state_rebuilds_total"),
                  "Rebuilds of routing's Redis state from the topics (after Redis lost it, or "
                  "on a fresh deployment).")
      .Inc();
  metrics_->registry()
      .GetGauge(metrics_->Name("state_rebuild_seconds"), "How long the last rebuild took.")
      .Set(seconds);
}

Status RoutingStateRebuild::Rebuild() {
  log::Warn("rebuilding routing state from the topics");
  RoutingStateReplay replay([this](const std::string& rep, int64_t ms) {
    return RepLocalDay(*policy_, rep,
                       std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
  });
  if (Status s = ScanTopics(replay); !s.ok()) return s;
  Cohorts cohorts;
  if (Status s = ScanCohorts(cohorts); !s.ok()) return s;
  const int64_t now = clock_.NowMillis();
  return WriteState(replay.Build(RecentDays(now), policy_->queue_order()), cohorts, now);
}

Status RoutingStateRebuild::ScanCohorts(Cohorts& cohorts) {
  return scan_(topics::kLeadsCohorts, [&](const kafka::ConsumedMessage& m) {
    rv1::LeadCohortJoined j;
    if (!j.ParseFromString(m.payload) || j.lead_id().empty()) return;
    const auto month = ParseMonthName(j.cohort_month());
    if (!month) return;
    const Cohort c{*month, j.segment()};
    auto& entry = cohorts[c.Name()];
    entry.first = *month;
    entry.second.insert(j.lead_id());
  });
}

Status RoutingStateRebuild::ScanTopics(RoutingStateReplay& replay) {
  Status s = ScanDecisions(replay);
  if (s.ok()) {
    s = scan_(topics::kSalesFeedback, [&](const kafka::ConsumedMessage& m) {
      rv1::SalesFeedback f;
      if (f.ParseFromString(m.payload)) replay.OnFeedback(f);
    });
  }
  if (s.ok()) {
    s = scan_(topics::kDealsStalls, [&](const kafka::ConsumedMessage& m) {
      rv1::DealStalled x;
      if (x.ParseFromString(m.payload)) replay.OnStall(x);
    });
  }
  if (s.ok()) s = ScanReps(replay);
  return s;
}

Status RoutingStateRebuild::ScanDecisions(RoutingStateReplay& replay) {
  auto decisions = [&](const char* topic, auto read) {
    return scan_(topic, [&](const kafka::ConsumedMessage& m) {
      rv1::LeadAssigned r;
      if (read(m.payload, &r)) replay.OnDecision(r);
    });
  };
  // A decision with the scored lead it was made for, from any output topic.
  auto with_decision = [](const auto& event, rv1::LeadAssigned* r) {
    *r->mutable_scored() = event.scored();
    *r->mutable_decision() = event.decision();
    return true;
  };
  Status s = decisions(topics::kLeadsAssigned, [](const std::string& p, rv1::LeadAssigned* r) {
    return r->ParseFromString(p);
  });
  if (s.ok()) {
    s = decisions(topics::kLeadsNurture, [&](const std::string& p, rv1::LeadAssigned* r) {
      rv1::NurtureRequested n;
      return n.ParseFromString(p) && with_decision(n, r);
    });
  }
  if (s.ok()) {
    s = decisions(topics::kAccountsInbound, [&](const std::string& p, rv1::LeadAssigned* r) {
      rv1::CustomerInbound c;
      return c.ParseFromString(p) && with_decision(c, r);
    });
  }
  if (s.ok()) s = decisions(topics::kLeadsRejected, &DisqualifiedDecision);
  return s;
}

Status RoutingStateRebuild::ScanReps(RoutingStateReplay& replay) {
  Status s = scan_(topics::kRepsAvailability, [&](const kafka::ConsumedMessage& m) {
    rv1::RepAvailabilityChanged a;
    if (a.ParseFromString(m.payload) && !a.rep_id().empty()) {
      replay.OnAvailability(a.rep_id(), a.availability());
    }
  });
  if (!s.ok()) return s;
  // Records routing's consumer refused (unreadable, invalid) stay refused.
  const int64_t now_ms = clock_.NowMillis();
  return scan_(topics::kRepsOutOfOffice, [&](const kafka::ConsumedMessage& m) {
    rv1::RepOutOfOffice o;
    if (!o.ParseFromString(m.payload) || o.rep_id().empty()) return;
    auto windows = OutOfOfficeFromProto(o.windows(), now_ms);
    if (windows.ok()) replay.OnOutOfOffice(o.rep_id(), std::move(*windows), ToMillis(o.at()));
  });
}

Status RoutingStateRebuild::WriteState(const RoutingStateReplay::State& state,
                                       const Cohorts& cohorts, int64_t now) {
  Writer w(redis_);
  if (Status d = ClearOwnedKeys(redis_, w); !d.ok()) return d;
  size_t timers = 0;
  for (const auto& [lead_id, lead] : state.leads) {
    WriteLead(w, lead_id, lead, policy_->deal_stages(), now);
    if (lead.sla_due_ms > 0) ++timers;
  }
  const size_t open = WriteRepLoads(w, state);
  const size_t queued = WriteQueues(w, state);
  WriteRepPresence(w, state);
  WriteFunnel(w, state, cohorts, now);
  // The order the queues are ranked by (Check compares it with the policy's).
  w.Add({"SET", kPrefix + "queue-order", QueueOrderName(policy_->queue_order())});
  // Last: the marker that lets routing act again.
  w.Add({"SET", RoutingStateKey(), instance_id_ + "@" + std::to_string(now)});
  if (Status f = w.Flush(); !f.ok()) return f;
  log::Info("routing state rebuilt from the topics",
            {{"leads", std::to_string(state.leads.size())}, {"open", std::to_string(open)},
             {"queued", std::to_string(queued)}, {"sla_timers", std::to_string(timers)}});
  return Status::Ok();
}

void RoutingStateRebuild::SetReady(bool ready) {
  ready_ = ready;
  if (metrics_) {
    metrics_->GaugeOf(kStateReady).Set(ready ? 1 : 0);
  }
}

}  // namespace leadflow::routing
