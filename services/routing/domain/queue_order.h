// The rank of a queued lead in its team queue (docs/domain-rules.md, "Team
// queues ranked by score"): the lead with the highest BANT product, then the
// highest total score (the shipped order, config QueueOrder), is assigned
// first when a slot frees; ties go to the oldest lead.
//
// The rank is encoded in the queue entry itself, a string whose byte order is
// the drain order, so that a Redis sorted set with every score 0 keeps the
// queue in rank order (ZADD 0 / ZRANGE; docs/state.md, queue:<team>):
//   <one fixed-width field per key of the order, best first> <queued ms> '|' <lead id>
// Field widths are fixed and the fields hold no '|', so the lead id is what
// follows the first '|'. The same record gives the same entry wherever it is
// computed (the engine when it queues, the rebuild from leads.assigned), so a
// rebuilt queue has the order it had.
//
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "leadflow/config/v1/routing_rules.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"

namespace leadflow::routing {

// The shipped order: BANT product, then total score.
const leadflow::config::v1::QueueOrder& DefaultQueueOrder();

// The queue entry of `lead_id`, scored `scored`, queued at `queued_ms` (the
// QUEUED decision's decided_at), under `order`.
std::string QueueEntry(const leadflow::config::v1::QueueOrder& order,
                       const leadflow::scoring::v1::LeadScored& scored, int64_t queued_ms,
                       const std::string& lead_id);

// The lead id of a queue entry (everything after the first '|'); an entry
// without one (a bare id) is taken whole.
std::string_view LeadIdOfQueueEntry(std::string_view entry);

// A name for an order ("QUEUE_RANK_BANT_PRODUCT,QUEUE_RANK_TOTAL_SCORE";
// "fifo" for none), kept beside the queues so that a changed order is noticed.
std::string QueueOrderName(const leadflow::config::v1::QueueOrder& order);

// True when `a` is drained before `b` (byte order of the entries).
inline bool DrainsBefore(std::string_view a, std::string_view b) { return a < b; }

}  // namespace leadflow::routing
