// Reads routing's funnel keys for the Funnel dashboard (docs/state.md,
// `cohort:` and `won:`): each submission cohort's leads (a HyperLogLog of
// lead ids: PFCOUNT, about 0.81 % standard error, exact enough against bands
// a percentage point apart, and 12 KB at most per cohort whatever its size)
// and won deals (a zset lead id -> when won), and the ledger of the deals won
// in each month. The claim and feedback scripts write them with the claim and
// the close (routing_store.h), and the state rebuild restores them from
// leads.cohorts, leads.assigned and sales.feedback.
//
// Threading: as redis::Client. kUnavailable while Redis is unreachable or
// routing's state is being rebuilt (no partial numbers).
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "common/redis/client.h"
#include "routing/domain/cohort.h"
#include "routing/domain/funnel_bands.h"
#include "routing/domain/won_deal.h"

namespace leadflow::routing {

struct CohortRow {
  MonthIndex month = 0;
  leadflow::common::v1::Segment segment = leadflow::common::v1::SEGMENT_UNSPECIFIED;
  int64_t leads = 0;
  int64_t won = 0;
};

struct FunnelSnapshot {
  // The last kCohortWindowMonths cohorts of every segment, oldest first.
  std::vector<CohortRow> cohorts;
  // Per segment: the newer and the older cohort CohortsToCompare names.
  std::map<leadflow::common::v1::Segment, std::pair<CohortCounts, CohortCounts>> compared;
  // The deals won in the last kWonWindowMonths months (this one included).
  std::vector<WonDeal> won;
  int64_t unreadable_won_entries = 0;  // ledger entries DecodeWonDeal refused
};

class CohortStore {
 public:
  explicit CohortStore(redis::Client& redis) : redis_(redis) {}

  // Everything the dashboard shows, as of `now_ms`, in one round trip.
  StatusOr<FunnelSnapshot> Read(int64_t now_ms, const FunnelBands& bands);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::routing
