// Restores routing's Redis state from the topics when Redis has lost it
// (FLUSHALL, a restart without persistence, a failover to an empty replica).
// See docs/architecture.md, "State", and docs/reliability.md.
//
// Routing's state is complete only while the state marker
// (RoutingStateKey(), routing_keys.h) exists. Every script that changes the
// state, and every read that a decision rests on, refuses without it
// (kUnavailable, "routing state is being rebuilt"), so no lead is decided,
// no capacity claimed and no feedback applied on an empty Redis.
//
// Check() runs every second on one background thread per replica. When the
// marker is missing, the replica that takes the rebuild lease scans the
// topics that record routing's outcomes (leads.assigned, leads.nurture,
// accounts.inbound, routing's disqualifications on leads.rejected,
// sales.feedback, deals.stalls, reps.availability and leads.cohorts) from
// their beginning,
// folds them with RoutingStateReplay, writes open sets and counters, daily
// counts, SLA and stall timers, queues, availability, feedback tags (with
// deal stages), decision records and the funnel's cohorts and won deals, and
// sets the marker last. The others wait for the marker. A fresh deployment
// (empty topics) takes the same path and is ready at once.
//
// What it cannot restore is what the topics no longer hold: their retention
// must cover a lead's open life and the owned-record window
// (deploy/k8s/base/kafka-topics.yaml keeps leads.assigned and sales.feedback
// for 548 days).
//
// Thread-safe: ready() from any thread; Check()/Run() from one.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>

#include "common/kafka/message.h"
#include "common/redis/client.h"
#include "common/util/clock.h"
#include "routing/domain/cohort.h"
#include "routing/domain/routing_policy.h"
#include "routing/domain/state_replay.h"

namespace leadflow::metrics {
class ServiceMetrics;
}

namespace leadflow::routing {

class RoutingStateRebuild {
 public:
  // Reads a whole topic as it is when the scan starts (kafka::ScanTopic).
  using TopicScan = std::function<Status(
      const std::string& topic, const std::function<void(const kafka::ConsumedMessage&)>& visit)>;

  RoutingStateRebuild(redis::Client& redis, std::shared_ptr<const RoutingPolicy> policy,
                      TopicScan scan, std::string instance_id, const Clock& clock,
                      metrics::ServiceMetrics* metrics);

  // Ready when the marker exists; otherwise rebuilds if this replica takes
  // the lease. kUnavailable on a Redis or Kafka failure (retried next time).
  Status Check();
  // Check() every `interval` until `stop`.
  void Run(const std::atomic<bool>& stop,
           std::chrono::milliseconds interval = std::chrono::milliseconds(1000));
  bool ready() const { return ready_.load(); }

 private:
  // Whether the marker exists and the queues are ranked by the policy's
  // order (checked once per process; another order drops the marker).
  StatusOr<bool> StateComplete();
  Status Rebuild();
  void CountRebuild(double seconds);
  // Feeds every record of the topics that record routing's outcomes: the
  // decisions (leads.assigned, leads.nurture, accounts.inbound, routing's
  // disqualifications), sales.feedback, deals.stalls, and the reps'
  // availability and out-of-office windows.
  Status ScanTopics(RoutingStateReplay& replay);
  Status ScanDecisions(RoutingStateReplay& replay);
  Status ScanReps(RoutingStateReplay& replay);
  // Each cohort's leads from leads.cohorts: cohort name -> (month, lead ids).
  using Cohorts = std::map<std::string, std::pair<MonthIndex, std::set<std::string>>>;
  Status ScanCohorts(Cohorts& cohorts);
  // Rewrites routing's keys from `state` and `cohorts`, the state marker last.
  Status WriteState(const RoutingStateReplay::State& state, const Cohorts& cohorts, int64_t now);
  void SetReady(bool ready);

  redis::Client& redis_;
  std::shared_ptr<const RoutingPolicy> policy_;
  TopicScan scan_;
  std::string instance_id_;
  const Clock& clock_;
  metrics::ServiceMetrics* metrics_;
  std::atomic<bool> ready_{false};
  // Once per process: queues ranked by another order than the policy's (or
  // from before ranked queues) send the state to a rebuild. Only Run's thread
  // (or the caller of Check) touches it.
  bool layout_checked_ = false;
};

}  // namespace leadflow::routing
