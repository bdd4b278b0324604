// The scoring-model what-if of `leadflow-cli simulate --scoring-model`
// (docs/simulation.md, "Scoring-model what-if"): re-scores each recorded
// leads.scored record with a candidate model, using scoring's own pure
// ScoreLead (services/scoring/domain/scorer.h), and lists the MQLs the
// candidate adds and drops. The re-scored records then go through the same
// routing replay. Pure: no I/O; thread-compatible (no shared state).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/util/status.h"
#include "leadflow/config/v1/scoring_model.pb.h"
#include "routing/domain/simulation_history.h"
#include "scoring/domain/scoring_policy.h"

namespace leadflow::cli {

// A leads.scored record had no engagement event times, only the decayed
// points per type (`engagement.<TYPE>` contributions), so the recorded
// engagement can be reused only under the same engagement settings. Returns
// kInvalidArgument naming the first differing field of `candidate` against
// `live` (engagement_half_life_days, or engagement["TYPE"].points /
// .daily_cap, or engagement["TYPE"] present in only one of them); Ok when
// they are equal (rule order aside).
Status CheckSameEngagement(const leadflow::config::v1::ScoringModel& live,
                           const leadflow::config::v1::ScoringModel& candidate);

// One record whose MQL status the candidate changes.
struct MqlChange {
  std::string lead_id;
  int32_t revision = 0;
  int64_t scored_at_ms = 0;
  double old_total = 0;
  double new_total = 0;
  std::string old_grade;
  std::string new_grade;
  std::string old_stage;  // LifecycleStage name, e.g. "MQL", "LEAD"
  std::string new_stage;
};

struct ScoringWhatIfReport {
  std::string live_version;
  std::string candidate_version;
  // Records re-scored in all, and those whose scored_at is in [from, to)
  // (the counts and lists below cover only those).
  int64_t records = 0;
  int64_t records_in_window = 0;
  int64_t mql_before = 0;          // MQL records in the window, as recorded
  int64_t mql_after = 0;           // ... under the candidate
  std::vector<MqlChange> added;    // MQL under the candidate only, by time
  std::vector<MqlChange> dropped;  // MQL in history only, by time
  // Self-check (every record): the live model re-scoring a record must give
  // its recorded total_score, grade and lifecycle stage. A mismatch means the
  // model changed since (or the record's model_version differs).
  int64_t live_mismatches = 0;
  std::vector<std::string> live_mismatch_leads;  // the first kMismatchesListed
  int64_t other_model_version = 0;               // records whose model_version != live's
};

inline constexpr size_t kMismatchesListed = 20;

// Re-scores every record of `leads` in place with `candidate` (lead, scored_at
// and revision from the record; the recorded engagement points reused) and
// reports the MQL changes of the records scored in [from_ms, to_ms). Fails
// (and changes nothing) when CheckSameEngagement fails.
StatusOr<ScoringWhatIfReport> RescoreHistory(const scoring::ScoringPolicy& live,
                                             const scoring::ScoringPolicy& candidate,
                                             std::vector<routing::HistoryLead>& leads,
                                             int64_t from_ms = std::numeric_limits<int64_t>::min(),
                                             int64_t to_ms = std::numeric_limits<int64_t>::max());

}  // namespace leadflow::cli
