// Touch planning: ids and due times of a track's touches for one enrolment.
//   enrolment id = lead_id + ":" + track_id
//   touch id     = enrolment id + ":" + step index
//   due time     = enrolment time + cumulative delay_hours of steps 0..i
// Ids are deterministic, so a redelivered request or a restart never plans a
// second, different touch. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "leadflow/config/v1/nurture_config.pb.h"
#include "nurture/domain/nurture_policy.h"

namespace leadflow::nurture {

struct PlannedTouch {
  std::string touch_id;
  int step = 0;
  std::string content_id;
  std::string topic;
  leadflow::common::v1::Channel channel = leadflow::common::v1::CHANNEL_UNSPECIFIED;
  int64_t due_ms = 0;
};

std::string EnrolmentId(const std::string& lead_id, const std::string& track_id);
std::string TouchId(const std::string& enrolment_id, int step);

struct ParsedTouchId {
  std::string enrolment_id;
  int step = 0;
};
// Splits at the last ':'; nullopt when there is no valid step suffix.
std::optional<ParsedTouchId> ParseTouchId(const std::string& touch_id);

// All touches of `track` for an enrolment made at `enrolled_ms`.
std::vector<PlannedTouch> PlanTouches(const NurturePolicy& policy,
                                      const leadflow::config::v1::Track& track,
                                      const std::string& enrolment_id, int64_t enrolled_ms);

// The touch after `step` of an enrolment of `track` made at `enrolled_ms`,
// when `step` was done at `now_ms`: its planned due time, but never sooner
// than its own delay after `now_ms` (a deferral shifts the rest of the
// track). An empty touch_id: `step` was the last one.
struct NextTouch {
  std::string touch_id;
  int64_t due_ms = 0;
};
NextTouch NextAfter(const NurturePolicy& policy, const leadflow::config::v1::Track& track,
                    const std::string& enrolment_id, int64_t enrolled_ms, int step, int64_t now_ms);

}  // namespace leadflow::nurture
