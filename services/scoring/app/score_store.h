// The latest LeadScored per lead, for Explain and engagement rescoring.
//
// Redis layout: hash lf:scoring:{l:<lead_id>}:score {rev: <revision>, score:
// <LeadScored bytes>} with a TTL refreshed on every write (default
// kScoringStateTtl, 548 days: a lead may be nurtured for a whole sales cycle of
// 1-1.5 years, docs/domain-rules.md §6, and must still be rescored). The hash tag is the lead
// id, so on Redis Cluster scores spread over all slots and the script's single
// key always lives on one node. Put() is a Lua
// compare-and-set: a score is stored only if its revision is >= the stored
// one, so a redelivered revision-1 message never overwrites a later rescore,
// and re-storing the same revision is harmless (idempotent).
// Implementations are thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/util/status.h"
#include "leadflow/scoring/v1/scoring.pb.h"

namespace leadflow::scoring {

// How long scoring state (scores, engagement, contact links) lives without a write.
inline constexpr std::chrono::seconds kScoringStateTtl = std::chrono::hours(24 * 548);

class ScoreStore {
 public:
  virtual ~ScoreStore() = default;
  // kUnavailable when the store cannot be reached.
  virtual Status Put(const leadflow::scoring::v1::LeadScored& score) = 0;
  virtual StatusOr<std::optional<leadflow::scoring::v1::LeadScored>> Get(
      const std::string& lead_id) = 0;
  // Put() of each score in order, one status each (a consumer batch's
  // writes); the Redis store sends them in one round trip.
  virtual std::vector<Status> PutMany(
      const std::vector<const leadflow::scoring::v1::LeadScored*>& scores);
  // Get() of each lead, in order; the Redis store reads them in one round trip.
  virtual std::vector<StatusOr<std::optional<leadflow::scoring::v1::LeadScored>>> GetMany(
      const std::vector<std::string>& lead_ids);
};

}  // namespace leadflow::scoring
