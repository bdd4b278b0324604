#include "routing/domain/cohort.h"

#include <chrono>
#include <cstdio>

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
using namespace std::chrono;

MonthIndex MonthIndexOf(int64_t unix_ms) {
  const year_month_day ymd{floor<days>(sys_time<milliseconds>(milliseconds(unix_ms)))};
  return (static_cast<int>(ymd.year()) - 1970) * 12 +
         static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
}

int64_t MonthStartMs(MonthIndex month) {
  const int y = 1970 + (month >= 0 ? month / 12 : (month - 11) / 12);
  const int m = month - (y - 1970) * 12 + 1;
  const sys_days d = year{y} / m / 1;
  return duration_cast<milliseconds>(d.time_since_epoch()).count();
}

std::string MonthName(MonthIndex month) {
  const int y = 1970 + (month >= 0 ? month / 12 : (month - 11) / 12);
  const int m = month - (y - 1970) * 12 + 1;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", y, m);
  return buf;
}

std::optional<MonthIndex> ParseMonthName(std::string_view name) {
  if (name.size() != 7 || name[4] != '-') return std::nullopt;
  int y = 0, m = 0;
  for (size_t i = 0; i < 7; ++i) {
    if (i == 4) continue;
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    (i < 4 ? y : m) = (i < 4 ? y : m) * 10 + (name[i] - '0');
  }
  if (y < 1970 || m < 1 || m > 12) return std::nullopt;
  return (y - 1970) * 12 + m - 1;
}

std::string Cohort::Name() const { return MonthName(month) + ":" + cv1::Segment_Name(segment); }

std::optional<Cohort> CohortOf(const leadflow::scoring::v1::LeadScored& scored) {
  const auto& meta = scored.lead().meta();
  if (meta.relationship() != cv1::PROSPECT || scored.disqualified()) return std::nullopt;
  if (scored.segment() == cv1::SEGMENT_UNSPECIFIED || !meta.has_first_submitted_at()) {
    return std::nullopt;
  }
  const auto& at = meta.first_submitted_at();
  return Cohort{MonthIndexOf(at.seconds() * 1000 + at.nanos() / 1000000), scored.segment()};
}

int64_t CohortExpiresAtSeconds(MonthIndex month) {
  return MonthStartMs(month + 1) / 1000 + kCohortKeepSeconds;
}

CohortPair CohortsToCompare(MonthIndex now, const FunnelBands& bands) {
  CohortPair p;
  p.latest = now - bands.compare_at_age_months;
  p.previous = p.latest - 1;
  p.latest_won_before_ms = MonthStartMs(p.latest + bands.compare_at_age_months);
  p.previous_won_before_ms = MonthStartMs(p.previous + bands.compare_at_age_months);
  return p;
}

bool VolumeUpConversionDown(const CohortCounts& latest, const CohortCounts& previous,
                            const FunnelBands& bands) {
  if (previous.leads <= 0) return false;
  const bool volume_up =
      static_cast<double>(latest.leads) >=
          static_cast<double>(previous.leads) * (1 + bands.volume_rise_pct / 100) &&
      latest.leads > previous.leads;
  return volume_up && latest.conversion() < previous.conversion();
}

}  // namespace leadflow::routing
