#include "nurture/domain/programme_schedule.h"

namespace leadflow::nurture {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr char kLeadPrefix[] = "prog~";
constexpr char kRecipientPrefix[] = "a-";

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

int64_t ProgrammePhaseMs(const std::string& programme_id, const std::string& account_key,
                         int64_t period_ms) {
  if (period_ms <= 0) return 0;
  return static_cast<int64_t>(Fnv1a(programme_id + "|" + account_key) %
                              static_cast<uint64_t>(period_ms));
}

ProgrammeCycle CurrentCycle(const leadflow::config::v1::Programme& programme,
                            const std::string& account_key, int64_t now_ms) {
  ProgrammeCycle c;
  const int64_t period_ms = static_cast<int64_t>(programme.period_days()) * kDayMs;
  if (period_ms <= 0) return c;
  const int64_t phase = ProgrammePhaseMs(programme.programme_id(), account_key, period_ms);
  c.index = FloorDiv(now_ms - phase, period_ms);
  c.start_ms = phase + c.index * period_ms;
  c.enrollable = now_ms - c.start_ms < static_cast<int64_t>(programme.enrol_window_days()) * kDayMs;
  return c;
}

const std::string& ProgrammeTrackFor(const leadflow::config::v1::Programme& programme,
                                     int64_t customer_accounts) {
  if (programme.small_base_track_id().empty() ||
      customer_accounts >= programme.large_base_min_accounts()) {
    return programme.track_id();
  }
  return programme.small_base_track_id();
}

std::string ProgrammeLeadId(const std::string& programme_id, int64_t cycle,
                            const std::string& account_key) {
  return kLeadPrefix + programme_id + "~" + std::to_string(cycle) + "~" + account_key;
}

std::optional<ParsedProgrammeLead> ParseProgrammeLeadId(const std::string& lead_id) {
  const std::string prefix = kLeadPrefix;
  if (lead_id.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  const size_t a = lead_id.find('~', prefix.size());
  if (a == std::string::npos) return std::nullopt;
  const size_t b = lead_id.find('~', a + 1);
  if (b == std::string::npos || b + 1 >= lead_id.size() || a == prefix.size()) return std::nullopt;
  ParsedProgrammeLead p;
  p.programme_id = lead_id.substr(prefix.size(), a - prefix.size());
  const std::string cycle = lead_id.substr(a + 1, b - a - 1);
  if (cycle.empty() || cycle.find_first_not_of("-0123456789") != std::string::npos) {
    return std::nullopt;
  }
  try {
    p.cycle = std::stoll(cycle);
  } catch (...) {
    return std::nullopt;
  }
  p.account_key = lead_id.substr(b + 1);
  return p;
}

std::string ProgrammeRecipientId(const std::string& account_key) {
  return kRecipientPrefix + account_key;
}

std::optional<std::string> AccountOfRecipient(const std::string& recipient_id) {
  const std::string prefix = kRecipientPrefix;
  if (recipient_id.size() <= prefix.size() || recipient_id.compare(0, prefix.size(), prefix) != 0) {
    return std::nullopt;
  }
  return recipient_id.substr(prefix.size());
}

}  // namespace leadflow::nurture
