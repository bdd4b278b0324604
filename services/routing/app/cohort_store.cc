#include "routing/app/cohort_store.h"

#include <string_view>

#include "common/redis/reply.h"
#include "routing/app/routing_keys.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;

namespace {

constexpr cv1::Segment kSegments[] = {cv1::ENTERPRISE, cv1::GOVERNMENT, cv1::INFRASTRUCTURE,
                                      cv1::MID_MARKET, cv1::SMB};

// The replies of the funnel's one pipelined read, taken in the order the
// commands were added.
class Replies {
 public:
  explicit Replies(const std::vector<redis::Reply>& replies) : replies_(replies) {}
  const redis::Reply& Next() { return replies_[next_++]; }
  StatusOr<int64_t> Integer(std::string_view what) { return redis::ExpectInteger(Next(), what); }

 private:
  const std::vector<redis::Reply>& replies_;
  size_t next_ = 0;
};

// Each cohort of the window, oldest first: its leads and its won deals so far.
void AddCohortCounts(MonthIndex now, std::vector<redis::Command>& cmds,
                     std::vector<CohortRow>& rows) {
  for (MonthIndex m = now - kCohortWindowMonths + 1; m <= now; ++m) {
    for (const auto seg : kSegments) {
      const std::string name = Cohort{m, seg}.Name();
      cmds.push_back({"PFCOUNT", CohortLeadsKey(name)});
      cmds.push_back({"ZCARD", CohortWonKey(name)});
      rows.push_back(CohortRow{m, seg, 0, 0});
    }
  }
}

Status ReadCohortCounts(Replies& replies, std::vector<CohortRow>& rows) {
  for (auto& row : rows) {
    auto leads = replies.Integer("PFCOUNT cohort");
    if (!leads.ok()) return leads.status();
    auto won = replies.Integer("ZCARD cohort won");
    if (!won.ok()) return won.status();
    row.leads = *leads;
    row.won = *won;
  }
  return Status::Ok();
}

// Per segment, the two compared cohorts' leads and the deals each won by the
// same age (CohortsToCompare).
void AddComparedCounts(const CohortPair& pair, std::vector<redis::Command>& cmds) {
  for (const auto seg : kSegments) {
    for (const auto& [month, won_before_ms] :
         {std::pair{pair.latest, pair.latest_won_before_ms},
          std::pair{pair.previous, pair.previous_won_before_ms}}) {
      const std::string name = Cohort{month, seg}.Name();
      cmds.push_back({"PFCOUNT", CohortLeadsKey(name)});
      cmds.push_back({"ZCOUNT", CohortWonKey(name), "-inf", "(" + std::to_string(won_before_ms)});
    }
  }
}

Status ReadComparedCounts(Replies& replies, FunnelSnapshot& out) {
  for (const auto seg : kSegments) {
    std::pair<CohortCounts, CohortCounts> c;
    for (CohortCounts* counts : {&c.first, &c.second}) {
      auto leads = replies.Integer("PFCOUNT cohort");
      if (!leads.ok()) return leads.status();
      auto won = replies.Integer("ZCOUNT cohort won");
      if (!won.ok()) return won.status();
      counts->leads = *leads;
      counts->won_by_age = *won;
    }
    out.compared[seg] = c;
  }
  return Status::Ok();
}

// The won ledgers of the last kWonWindowMonths months.
void AddWonLedgers(MonthIndex now, std::vector<redis::Command>& cmds) {
  for (MonthIndex m = now - kWonWindowMonths + 1; m <= now; ++m) {
    cmds.push_back({"HVALS", WonLedgerKey(MonthName(m))});
  }
}

Status ReadWonLedgers(Replies& replies, FunnelSnapshot& out) {
  for (int month = 0; month < kWonWindowMonths; ++month) {
    const redis::Reply& reply = replies.Next();
    if (Status s = redis::ExpectArray(reply, "HVALS won"); !s.ok()) return s;
    for (const auto& e : reply.elements) {
      if (auto deal = DecodeWonDeal(e.str)) {
        out.won.push_back(std::move(*deal));
      } else {
        ++out.unreadable_won_entries;
      }
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<FunnelSnapshot> CohortStore::Read(int64_t now_ms, const FunnelBands& bands) {
  const MonthIndex now = MonthIndexOf(now_ms);
  FunnelSnapshot out;
  std::vector<redis::Command> cmds;
  cmds.push_back({"EXISTS", RoutingStateKey()});
  AddCohortCounts(now, cmds, out.cohorts);
  AddComparedCounts(CohortsToCompare(now, bands), cmds);
  AddWonLedgers(now, cmds);
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  if (r->size() != cmds.size()) return Status::Unavailable("redis funnel read: short reply");
  Replies replies(*r);
  auto state = replies.Integer("EXISTS state");
  if (!state.ok()) return state.status();
  if (*state != 1) return Status::Unavailable(kRoutingStateRebuilding);
  if (Status s = ReadCohortCounts(replies, out.cohorts); !s.ok()) return s;
  if (Status s = ReadComparedCounts(replies, out); !s.ok()) return s;
  if (Status s = ReadWonLedgers(replies, out); !s.ok()) return s;
  return out;
}

}  // namespace leadflow::routing
