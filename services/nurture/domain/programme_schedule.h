// Proactive customer programmes (docs/domain-rules.md §7; config Programme):
// when each CUSTOMER account is due, which track it gets, and the ids that
// make an account's cycle enrol once. Pure and thread-safe.
//
// The schedule keeps no state: an account's cycles are a function of the
// programme, the account key and the time. Each account has its own phase in
// the period (FNV-1a of "<programme>|<account key>" modulo the period), so a
// base of hundreds of accounts is spread over the year instead of being sent
// a questionnaire on one day. Cycle k starts at phase + k * period (from the
// Unix epoch); it may be enrolled while now is less than enrol_window_days
// after its start. Restarts and a Redis loss therefore never move a due date;
// which cycles were enrolled is kept by the enrolments' lead index and, after
// a Redis loss, read back from nurture.touches (docs/state.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "leadflow/config/v1/nurture_config.pb.h"

namespace leadflow::nurture {

struct ProgrammeCycle {
  int64_t index = 0;        // cycles since the epoch
  int64_t start_ms = 0;     // this account's start of the cycle
  bool enrollable = false;  // now is within enrol_window_days of start_ms
};

// The account's phase in a period of `period_ms` (0 <= phase < period_ms).
int64_t ProgrammePhaseMs(const std::string& programme_id, const std::string& account_key,
                         int64_t period_ms);

// The cycle of `programme` that `account_key` is in at `now_ms`.
ProgrammeCycle CurrentCycle(const leadflow::config::v1::Programme& programme,
                            const std::string& account_key, int64_t now_ms);

// The track for a base of `customer_accounts` CUSTOMER accounts: track_id
// from large_base_min_accounts up (or always without a small-base track),
// small_base_track_id below it.
const std::string& ProgrammeTrackFor(const leadflow::config::v1::Programme& programme,
                                     int64_t customer_accounts);

// The enrolment's "lead" id of one account's cycle: "prog~<programme>~<cycle>~<account>".
std::string ProgrammeLeadId(const std::string& programme_id, int64_t cycle,
                            const std::string& account_key);
struct ParsedProgrammeLead {
  std::string programme_id;
  int64_t cycle = 0;
  std::string account_key;
};
// nullopt for any other lead id (a form's lead).
std::optional<ParsedProgrammeLead> ParseProgrammeLeadId(const std::string& lead_id);

// The recipient of a programme's touches: the account, not a person
// ("a-" + account key; never a contact id, which is "c-" + 16 hex digits).
std::string ProgrammeRecipientId(const std::string& account_key);
// The account key of a programme recipient id; nullopt for a contact id.
std::optional<std::string> AccountOfRecipient(const std::string& recipient_id);

}  // namespace leadflow::nurture
