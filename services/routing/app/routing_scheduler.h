// The routing scheduler: the time-driven half of routing, run as a background
// task in every replica (all of its state is in Redis, so replicas cooperate
// and a restarted instance picks up where the last one stopped).
//
// Each Tick():
//  1. Outbox: re-publishes scheduler decisions recorded in Redis but not yet
//     acknowledged by Kafka (a crash between claim and publish loses nothing).
//  2. SLA ladder (teams with Team.sla_ladder, docs/domain-rules.md §5): the
//     rep is reminded at remind_at_pct of the SLA, the team lead is told at
//     the deadline (the SLA timer then moves to the grace end), and the lead
//     is re-assigned at the grace end; each step is a SlaEscalation on
//     sla.escalations and leadflow_routing_sla_steps_total{team,step}. One
//     replica claims each step (sla_ladder_store.h); at least once across
//     crashes. A team without a ladder is re-assigned at the deadline.
//     SLA expiry: an assignment not accepted by its due time (business
//     minutes, lf:{routing}:sla) is re-assigned to another eligible rep of the
//     team, never to a current or previous owner, and emitted on
//     leads.assigned as REASSIGNED with previous_reps; with nobody eligible
//     the timer is retried after sla_retry_seconds. A queued lead's expiry is
//     counted as a queue SLA breach (it stays first in line).
//  3. Queue drain: queued leads are assigned in the configured queue order
//     (shipped: highest BANT product, then total score, ties to the oldest;
//     domain/queue_order.h, docs/domain-rules.md) as soon as a rep
//     of their team is eligible again (released slot, return from vacation,
//     working hours, daily reset), with the same atomic capacity claim.
//  4. Deal stalls: a deal longer in its stage than the stage's
//     max_time_in_stage (lf:{routing}:stalls, armed by each stage move) gets
//     a DealStalled on deals.stalls (to the stage's owner and the team lead),
//     leadflow_routing_deal_stalls_total{stage,team}, and a LeadChange with
//     `stalled` on the rep's and the team's WatchAssignments streams. At
//     least once: a crash between the event and the timer's stop sends it
//     again; readers dedupe by (lead_id, stage_version). Counted once.
//  5. Gauges: every rep's open and today counts and every team queue's depth
//     are refreshed from Redis, so each replica reports the shared truth.
//     Every kPipelineRefreshMs, the open pipeline value per team and segment
//     too (domain/pipeline_value.h): each open lead's record and fb:<lead>
//     tags, read in batches; while the state is being rebuilt the gauges keep
//     their last values (never a partial total).
// Every change is a compare-and-swap on the lead's record, so two replicas
// never act twice on one lead.
//
// Threading: Tick() may run concurrently with the consumer handlers and gRPC
// calls; Run() drives it on the calling thread until `stop`. Wake() may be
// called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "common/kafka/producer.h"
#include "common/util/clock.h"
#include "leadflow/routing/v1/sla_escalation.pb.h"
#include "routing/app/assignment_broadcaster.h"
#include "routing/app/rep_picker.h"
#include "routing/app/routing_metrics.h"
#include "routing/app/routing_store.h"
#include "routing/app/sla_ladder_store.h"
#include "routing/domain/pipeline_value.h"

namespace leadflow::routing {

class RoutingScheduler {
 public:
  // `picker`: the rep picking shared with the leads.scored path
  // (RoutingEngine::rep_picker()).
  RoutingScheduler(std::shared_ptr<const RoutingPolicy> policy, RepPicker& picker,
                   RoutingStore& store, kafka::Producer& producer,
                   AssignmentBroadcaster& broadcaster, RoutingMetrics& metrics, const Clock& clock,
                   SlaLadderStore* ladder = nullptr);

  // `ladder` (outliving the scheduler; nullptr: no ladder steps, every team
  // re-assigned at its deadline) keeps the SLA ladder's timers.
  // One pass over outbox, SLA timers and team queues. Tries every step and
  // returns the first error (Redis or Kafka unavailable).
  Status Tick();
  // Ticks every scheduler.tick_ms, or sooner after Wake(), until `stop`.
  void Run(const std::atomic<bool>& stop);
  void Wake();

  // How often Tick() sums the open pipeline (step 5).
  static constexpr int64_t kPipelineRefreshMs = 5000;

 private:
  Status RefreshGauges(std::chrono::system_clock::time_point now,
                       std::optional<RepStateView>& reps);
  Status ResendOutbox(int64_t now_ms);
  // A lead's step of a pass returns a failure that ends the pass (Redis is
  // unreachable) and keeps the lead's own failure in `first` (reported once
  // the other leads were tried).
  using FireTimer =
      std::function<Status(const std::string& lead_id, int64_t due_ms, Status& first)>;
  // Runs `fire` on each timer of `timers` due by `now_ms`.
  Status ForEachDue(LeadTimers& timers, int64_t now_ms, const FireTimer& fire);

  Status ExpireSlaTimers(std::chrono::system_clock::time_point now);
  // One due SLA timer: a breach counted, the ladder's escalation, or the
  // re-assignment (Reassign) to another eligible rep.
  Status ExpireSlaTimer(const std::string& lead_id, int64_t due_ms,
                        std::chrono::system_clock::time_point now, Status& first);
  // Re-assigns the lead to another eligible rep of `team` (never a current or
  // previous owner); with nobody eligible the timer is retried at `retry_ms`.
  Status Reassign(const StoredDecision& stored, const leadflow::config::v1::Team& team,
                  int64_t due_ms, int64_t retry_ms, std::chrono::system_clock::time_point now,
                  Status& first);
  void ObserveReassigned(const leadflow::routing::v1::LeadAssigned& before,
                         const leadflow::routing::v1::LeadAssigned& after,
                         const ClaimResult& claim);
  // Finds new SLA timers for the ladder and fires due reminders (and
  // escalations whose publication a crash interrupted).
  Status RunSlaLadder(int64_t now_ms);
  // Arms the ladder's entries for new SLA timers (their reminder times, or
  // nothing pending), reading their records in one round trip.
  Status ArmLadder(const std::vector<std::pair<std::string, int64_t>>& timers, int64_t now_ms,
                   Status& first);
  // Claims a due ladder entry and publishes its step (if any is still due).
  Status FireLadderStep(const std::string& lead_id, int64_t score, int64_t now_ms, Status& first);
  // The step a claimed ladder entry stands for (SLA_STEP_UNSPECIFIED: none),
  // and its due time.
  leadflow::routing::v1::SlaStep LadderStepOf(const leadflow::routing::v1::LeadAssigned& rec,
                                              int64_t timer, int64_t now_ms,
                                              int64_t* step_due) const;
  // At the deadline of a ladder team's assignment: claims and publishes the
  // escalation. False when the team has no ladder (expire as before).
  StatusOr<bool> Escalate(const leadflow::routing::v1::LeadAssigned& rec, int64_t due_ms,
                          int64_t now_ms);
  // Publishes one ladder step of `rec` on sla.escalations.
  Status PublishStep(const leadflow::routing::v1::LeadAssigned& rec,
                     leadflow::routing::v1::SlaStep step, int64_t due_ms, int64_t at_ms);
  // The reps' state, read from Redis once a tick by the first step that needs
  // it (the drain keeps it up to date with its own claims).
  Status LoadRepsOnce(std::chrono::system_clock::time_point now, std::optional<RepStateView>& reps);
  Status DrainQueues(std::chrono::system_clock::time_point now, std::optional<RepStateView>& reps);
  // A team's queue, a short first page at a time: a queue whose head waits
  // costs one short read a tick, however long it is.
  Status DrainQueue(const leadflow::config::v1::Team& team,
                    std::chrono::system_clock::time_point now, std::optional<RepStateView>& reps,
                    Status& first);
  // Assigns `queued` in order; false when one had to wait (the rest wait too).
  StatusOr<bool> AssignInOrder(const leadflow::config::v1::Team& team,
                               const std::vector<QueuedLead>& queued, RepStateView& reps,
                               std::chrono::system_clock::time_point now, Status& first);
  // Assigns one queued lead to an eligible rep of its team; false when the
  // team's other queued leads must wait too (nobody eligible, or raced).
  StatusOr<bool> AssignQueued(const leadflow::config::v1::Team& team, const QueuedLead& queued,
                              RepStateView& reps, std::chrono::system_clock::time_point now,
                              Status& first);
  void ObserveDequeued(const leadflow::routing::v1::LeadAssigned& before,
                       const leadflow::routing::v1::LeadAssigned& after, const ClaimResult& claim,
                       int64_t now_ms);
  Status FireStalls(int64_t now_ms);
  // One due stall timer: the DealStalled event, then the stall recorded.
  Status FireStall(const std::string& lead_id, int64_t due_ms, int64_t now_ms, Status& first);
  leadflow::routing::v1::DealStalled StallOf(const leadflow::routing::v1::LeadAssigned& rec,
                                             const FeedbackTags& tags, int64_t version,
                                             int64_t now_ms) const;
  // The pipeline value gauges, at most every kPipelineRefreshMs.
  Status RefreshPipeline(int64_t now_ms);
  // Publishes an assignment the scheduler recorded, then clears its outbox entry.
  Status Emit(const leadflow::routing::v1::LeadAssigned& record);

  std::shared_ptr<const RoutingPolicy> policy_;
  RepPicker& picker_;
  RoutingStore& store_;
  kafka::Producer& producer_;
  AssignmentBroadcaster& broadcaster_;
  RoutingMetrics& metrics_;
  const Clock& clock_;
  SlaLadderStore* ladder_;
  bool any_ladder_ = false;  // some team has an sla_ladder
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  // Tick()'s own (one thread at a time): when the pipeline was last summed and
  // the (team, segment) gauges set so far (set to 0 once their deals are gone).
  int64_t pipeline_at_ms_ = 0;
  std::set<PipelineKey> pipeline_reported_;
};

}  // namespace leadflow::routing
