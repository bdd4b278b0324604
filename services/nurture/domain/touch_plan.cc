#include "nurture/domain/touch_plan.h"

#include <algorithm>
#include <cctype>

namespace leadflow::nurture {

std::string EnrolmentId(const std::string& lead_id, const std::string& track_id) {
  return lead_id + ":" + track_id;
}

std::string TouchId(const std::string& enrolment_id, int step) {
  return enrolment_id + ":" + std::to_string(step);
}

std::optional<ParsedTouchId> ParseTouchId(const std::string& touch_id) {
  const auto colon = touch_id.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= touch_id.size() ||
      touch_id.size() - colon - 1 > 6) {
    return std::nullopt;
  }
  int step = 0;
  for (size_t i = colon + 1; i < touch_id.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(touch_id[i]))) return std::nullopt;
    step = step * 10 + (touch_id[i] - '0');
  }
  return ParsedTouchId{touch_id.substr(0, colon), step};
}

std::vector<PlannedTouch> PlanTouches(const NurturePolicy& policy,
                                      const leadflow::config::v1::Track& track,
                                      const std::string& enrolment_id, int64_t enrolled_ms) {
  std::vector<PlannedTouch> out;
  int64_t due = enrolled_ms;
  for (int i = 0; i < track.steps_size(); ++i) {
    const auto& step = track.steps(i);
    due += int64_t{step.delay_hours()} * 3600 * 1000;
    PlannedTouch t;
    t.touch_id = TouchId(enrolment_id, i);
    t.step = i;
    t.content_id = step.content_id();
    if (const auto* item = policy.FindContent(step.content_id()); item != nullptr) {
      t.topic = item->topic();
    }
    t.channel = step.channel();
    t.due_ms = due;
    out.push_back(std::move(t));
  }
  return out;
}

NextTouch NextAfter(const NurturePolicy& policy, const leadflow::config::v1::Track& track,
                    const std::string& enrolment_id, int64_t enrolled_ms, int step,
                    int64_t now_ms) {
  const auto plan = PlanTouches(policy, track, enrolment_id, enrolled_ms);
  const size_t i = static_cast<size_t>(step) + 1;
  if (step < 0 || i >= plan.size()) return {};
  const int64_t delay_ms = int64_t{track.steps(static_cast<int>(i)).delay_hours()} * 3600000;
  return {plan[i].touch_id, std::max(plan[i].due_ms, now_ms + delay_ms)};
}

}  // namespace leadflow::nurture
