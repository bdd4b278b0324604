// Routing's Redis state: one store per key family (RoutingStore's members),
// and the sales feedback. Keys share the {routing} hash tag (one cluster
// slot), so one Lua script may touch several of them atomically; their names
// are spelled in routing_keys.h.
//
//   lf:{routing}:decision:<lead_id>      serialized LeadAssigned: the recorded
//                                        decision; the whole scored lead only
//                                        while routing needs it, else slim
//                                        with a TTL (decision_record.h)
//   lf:{routing}:open:<rep>              open leads of a rep
//   lf:{routing}:open-set:<rep>          lead ids open with a rep
//   lf:{routing}:daily:<yyyy-mm-dd>:<rep>  leads given on the rep's local day (3-day TTL)
//   lf:{routing}:availability            hash rep -> RepAvailability number
//   lf:{routing}:queue:<team>            zset of queue entries, every score 0:
//                                        byte order is drain order (rank, then
//                                        oldest; domain/queue_order.h)
//   lf:{routing}:sla                     zset lead_id -> SLA due (unix ms): the
//                                        running SLA timers (survive restarts)
//   lf:{routing}:outbox                  zset lead_id -> ms: scheduler decisions
//                                        recorded but not yet acknowledged by Kafka
//   lf:{routing}:fb:<lead_id>            hash: the lead's sales feedback
//                                        (FeedbackTags: last "<kind>|<rep>",
//                                        accepted_by, reject reason, close
//                                        outcome, versions; the deal stage, its
//                                        entry version, value, probability, the
//                                        previous stage and time there, stall
//                                        version); the TTL of an owned record
//                                        once closed or rejected
//   lf:{routing}:stalls                  zset lead_id -> when the deal's stage
//                                        stalls (unix ms): running stall timers
//   lf:{routing}:cohort:<yyyy-mm>:<SEGMENT>:leads  HyperLogLog of the lead
//                                        ids of a submission cohort (claim)
//   lf:{routing}:cohort:<yyyy-mm>:<SEGMENT>:won    zset lead_id -> when won
//                                        (close WON); both cohort_store.h
//   lf:{routing}:won:<yyyy-mm>           hash lead_id -> won deal (won_deal.h)
//                                        of the deals won that month
//
// Lifecycles and sizes of every key: docs/state.md.
//
// Threading: as thread-safe as redis::Client (calls are serialised). Every
// method returns kUnavailable when Redis is unreachable, so the consumer loop
// retries the message.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/redis/client.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/app/decision_log.h"
#include "routing/app/lead_claims.h"
#include "routing/app/lead_timers.h"
#include "routing/app/outbox.h"
#include "routing/app/rep_load_store.h"
#include "routing/app/routing_keys.h"
#include "routing/app/routing_snapshot_reader.h"
#include "routing/app/sales_feedback_store.h"
#include "routing/app/stall_timers.h"
#include "routing/app/team_queue.h"
#include "routing/domain/rep_state.h"
#include "routing/domain/sales_state.h"

namespace leadflow::routing {

class RoutingStore {
 public:
  explicit RoutingStore(redis::Client& redis)
      : decisions(redis),
        claims(redis),
        rep_loads(redis),
        snapshots(redis),
        queues(redis),
        sla_timers(redis, SlaTimersKey(), "sla"),
        stall_timers(redis),
        outbox(redis),
        sales_feedback(redis) {}

  // Routing's state, one store per key family (see the layout above).
  DecisionLog decisions;              // decision:<lead>
  LeadClaims claims;                  // a decision with its effects, atomically
  RepLoadStore rep_loads;             // open, open-set, daily, availability
  RoutingSnapshotReader snapshots;    // decisions and rep loads in one round trip
  TeamQueue queues;                   // queue:<team>
  LeadTimers sla_timers;              // sla
  StallTimers stall_timers;           // stalls
  Outbox outbox;                      // outbox
  SalesFeedbackStore sales_feedback;  // fb:<lead>, won deals: the feedback script
};

}  // namespace leadflow::routing
