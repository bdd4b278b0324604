#include "routing/domain/rep_state.h"

namespace leadflow::routing {

std::string RepStateView::AwayReason(const RepState& s, std::chrono::system_clock::time_point now) {
  namespace rv1 = leadflow::routing::v1;
  if (s.availability == rv1::PAUSED) return "paused";
  if (s.availability == rv1::VACATION) return "vacation";
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  if (const OutOfOfficeWindow* w = WindowAt(s.out_of_office, now_ms)) {
    return "out of office until " + UtcMinute(w->end_ms);
  }
  return "";
}

}  // namespace leadflow::routing
