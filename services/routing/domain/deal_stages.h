// Deal stages after acceptance (routing_rules deal_stages; docs/domain-rules.md
// §6, config/README.md): each with a win probability, a maximum time in the
// stage and an owner role. Validated once at load (RoutingPolicy::Create);
// errors name the field, e.g. "deal_stages[2].max_time_in_stage: ...".
//
// Order of progress: the list order. Moving a deal to a later stage (or from
// ACCEPTED to any stage) is forward and free; to an earlier stage is back and
// needs a reason (sales_state.h NextStageStep). Win probabilities never
// decrease along the list.
//
// Pure and thread-safe (immutable after Create).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/util/status.h"
#include "leadflow/config/v1/routing_rules.pb.h"

namespace leadflow::routing {

struct DealStageInfo {
  std::string stage_id;
  int index = 0;                // position in the list (order of progress)
  int win_probability_pct = 0;  // 0..100
  int64_t max_ms = 0;           // max_time_in_stage, > 0
  leadflow::config::v1::DealStageOwner owner = leadflow::config::v1::DEAL_STAGE_OWNER_UNSPECIFIED;
};

class DealStages {
 public:
  // Validates `stages` (field names start with "deal_stages[i]"). A
  // `time_scale` above 1 (demos and e2e tests only: routing's
  // LEADFLOW_ROUTING_STAGE_TIME_SCALE) divides every max_time_in_stage, so
  // the shipped 30-day stage stalls in seconds (at least 1 ms).
  static StatusOr<DealStages> Create(
      const google::protobuf::RepeatedPtrField<leadflow::config::v1::DealStage>& stages,
      double time_scale = 1);

  // nullptr when `stage_id` is not configured.
  const DealStageInfo* Find(const std::string& stage_id) const;
  const std::vector<DealStageInfo>& stages() const { return stages_; }
  // "scope_gap, qualification, ..." (for error texts).
  std::string Names() const;

 private:
  std::vector<DealStageInfo> stages_;
  std::map<std::string, int> index_;
};

// "30d", "12h", "90m", "5s" -> milliseconds; kInvalidArgument otherwise
// (the message says what is expected, the caller prefixes the field).
StatusOr<int64_t> ParseStageDuration(const std::string& text);

// "REP", "PRESALE", "TEAM_LEAD".
std::string StageOwnerName(leadflow::config::v1::DealStageOwner owner);

}  // namespace leadflow::routing
