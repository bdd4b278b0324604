#include "routing/app/routing_snapshot_reader.h"

#include "common/redis/reply.h"
#include "routing/app/routing_keys.h"

namespace leadflow::routing {

StatusOr<RepStateView> RoutingSnapshotReader::LoadRepStates(const std::vector<std::string>& rep_ids,
                                                            const RepLoadStore::DayOf& day_of) {
  auto snapshot = Read({}, rep_ids, day_of);
  if (!snapshot.ok()) return snapshot.status();
  return std::move(snapshot->reps);
}

StatusOr<RoutingSnapshot> RoutingSnapshotReader::Read(const std::vector<std::string>& lead_ids,
                                                      const std::vector<std::string>& rep_ids,
                                                      const RepLoadStore::DayOf& day_of) {
  RoutingSnapshot out;
  std::vector<redis::Command> cmds;
  cmds.push_back({"EXISTS", RoutingStateKey()});
  if (!lead_ids.empty()) {
    redis::Command get{"MGET"};
    get.reserve(lead_ids.size() + 1);
    for (const auto& id : lead_ids) get.push_back(DecisionKey(id));
    cmds.push_back(std::move(get));
  }
  if (!rep_ids.empty()) RepLoadStore::AppendReads(rep_ids, day_of, cmds);
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  auto marker = redis::ExpectInteger((*r)[0], "EXISTS state");
  if (!marker.ok()) return marker.status();
  if (*marker != 1) return Status::Unavailable(kRoutingStateRebuilding);
  size_t next = 1;
  if (!lead_ids.empty()) {
    redis::Reply& got = (*r)[next++];
    if (Status s = redis::ExpectArray(got, lead_ids.size(), "MGET decisions"); !s.ok()) return s;
    out.decisions.reserve(lead_ids.size());
    for (auto& e : got.elements) {
      out.decisions.push_back(e.is_nil() ? std::nullopt : std::optional(std::move(e.str)));
    }
  }
  if (!rep_ids.empty()) {
    auto reps = RepLoadStore::ParseReads(rep_ids, *r, next);
    if (!reps.ok()) return reps.status();
    out.reps = std::move(*reps);
  }
  return out;
}

}  // namespace leadflow::routing
