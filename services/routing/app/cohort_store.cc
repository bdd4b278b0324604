#include "routing/app/cohort_store.h"

#include "routing/app/routing_keys.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;

namespace {

constexpr cv1::Segment kSegments[] = {cv1::ENTERPRISE, cv1::GOVERNMENT, cv1::INFRASTRUCTURE,
                                      cv1::MID_MARKET, cv1::SMB};

Status Bad(const redis::Reply& r, const std::string& what) {
  return Status::Unavailable("redis " + what + ": " + (r.is_error() ? r.str : "unexpected reply"));
}

}  // namespace

StatusOr<FunnelSnapshot> CohortStore::Read(int64_t now_ms, const FunnelBands& bands) {
  const MonthIndex now = MonthIndexOf(now_ms);
  const CohortPair pair = CohortsToCompare(now, bands);
  std::vector<redis::Command> cmds;
  cmds.push_back({"EXISTS", RoutingStateKey()});
  FunnelSnapshot out;
  for (MonthIndex m = now - kCohortWindowMonths + 1; m <= now; ++m) {
    for (const auto seg : kSegments) {
      const std::string name = Cohort{m, seg}.Name();
      cmds.push_back({"PFCOUNT", CohortLeadsKey(name)});
      cmds.push_back({"ZCARD", CohortWonKey(name)});
      out.cohorts.push_back(CohortRow{m, seg, 0, 0});
    }
  }
  for (const auto seg : kSegments) {
    cmds.push_back({"PFCOUNT", CohortLeadsKey(Cohort{pair.latest, seg}.Name())});
    cmds.push_back({"ZCOUNT", CohortWonKey(Cohort{pair.latest, seg}.Name()), "-inf",
                    "(" + std::to_string(pair.latest_won_before_ms)});
    cmds.push_back({"PFCOUNT", CohortLeadsKey(Cohort{pair.previous, seg}.Name())});
    cmds.push_back({"ZCOUNT", CohortWonKey(Cohort{pair.previous, seg}.Name()), "-inf",
                    "(" + std::to_string(pair.previous_won_before_ms)});
  }
  for (MonthIndex m = now - kWonWindowMonths + 1; m <= now; ++m) {
    cmds.push_back({"HVALS", WonLedgerKey(MonthName(m))});
  }
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  if (r->size() != cmds.size()) return Status::Unavailable("redis funnel read: short reply");
  if ((*r)[0].is_error()) return Bad((*r)[0], "EXISTS state");
  if ((*r)[0].integer != 1) {
    return Status::Unavailable("routing state is being rebuilt from the topics; retry later");
  }
  size_t next = 1;
  auto number = [&](const char* what) -> StatusOr<int64_t> {
    const redis::Reply& reply = (*r)[next++];
    if (reply.is_error()) return Bad(reply, what);
    return reply.integer;
  };
  for (auto& row : out.cohorts) {
    auto leads = number("PFCOUNT cohort");
    if (!leads.ok()) return leads.status();
    auto won = number("ZCARD cohort won");
    if (!won.ok()) return won.status();
    row.leads = *leads;
    row.won = *won;
  }
  for (const auto seg : kSegments) {
    std::pair<CohortCounts, CohortCounts> c;
    for (CohortCounts* counts : {&c.first, &c.second}) {
      auto leads = number("PFCOUNT cohort");
      if (!leads.ok()) return leads.status();
      auto won = number("ZCOUNT cohort won");
      if (!won.ok()) return won.status();
      counts->leads = *leads;
      counts->won_by_age = *won;
    }
    out.compared[seg] = c;
  }
  for (MonthIndex m = now - kWonWindowMonths + 1; m <= now; ++m) {
    const redis::Reply& reply = (*r)[next++];
    if (reply.is_error()) return Bad(reply, "HVALS won");
    for (const auto& e : reply.elements) {
      if (auto deal = DecodeWonDeal(e.str)) {
        out.won.push_back(std::move(*deal));
      } else {
        ++out.unreadable_won_entries;
      }
    }
  }
  return out;
}

}  // namespace leadflow::routing
