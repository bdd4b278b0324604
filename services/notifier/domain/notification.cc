#include "notifier/domain/notification.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace leadflow::notifier {

const std::vector<std::string_view>& KnownKinds() {
  static const std::vector<std::string_view> kKinds = {
      kKindLeadAssigned,  kKindLeadReassigned,    kKindLeadQueued,
      kKindDealStalled,   kKindCustomerResponded, kKindAccountDevelopment,
      kKindSingleContact, kKindSlaReminder,       kKindSlaEscalation,
  };
  return kKinds;
}

bool IsKnownKind(std::string_view kind) {
  const auto& kinds = KnownKinds();
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string FormatRfc3339Millis(int64_t unix_ms) {
  const int64_t secs = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
  const int millis = static_cast<int>(unix_ms - secs * 1000);
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

}  // namespace leadflow::notifier
