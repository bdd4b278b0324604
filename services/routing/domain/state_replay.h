// Routing's Redis state recomputed from the topics that record its outcomes,
// for the rebuild after Redis lost its data (see docs/architecture.md,
// "State"). Pure: the app scans the topics and feeds the records in; this
// folds them into what Redis must hold.
//
// Decisions (leads.assigned, leads.nurture, accounts.inbound, routing's
// disqualifications on leads.rejected) and sales feedback (sales.feedback)
// live on different topics and partitions, so their relative order is taken
// from the times they carry: a lead's decision is its latest by decided_at
// (ties: the one fed later). A lead is open with the rep of that decision
// until that rep rejects or closes it; accepted once that rep accepts it.
// Rep availability (reps.availability) is the latest record per rep. Deal
// stages follow the holder's STAGE feedback after its accept (a move to the
// current stage only updates the value); a stall (deals.stalls) counts for
// the stay in a stage it names by stage_version.
//
// Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "leadflow/config/v1/routing_rules.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/domain/out_of_office.h"
#include "routing/domain/queue_order.h"

namespace leadflow::routing {

class RoutingStateReplay {
 public:
  // The rep's local day ("yyyy-mm-dd") of an instant, for the daily caps.
  using DayOf = std::function<std::string(const std::string& rep_id, int64_t unix_ms)>;
  explicit RoutingStateReplay(DayOf day_of) : day_of_(std::move(day_of)) {}

  // A decision as routing records it (LeadAssigned: scored lead + decision).
  void OnDecision(const leadflow::routing::v1::LeadAssigned& record);
  void OnFeedback(const leadflow::routing::v1::SalesFeedback& feedback);
  void OnAvailability(const std::string& rep_id, leadflow::routing::v1::RepAvailability a);
  // A reps.out-of-office record, already validated: the one set latest
  // (`at_ms`) per rep wins, whatever the order they are fed in.
  void OnOutOfOffice(const std::string& rep_id, OutOfOffice windows, int64_t at_ms);
  void OnStall(const leadflow::routing::v1::DealStalled& stall);

  struct Lead {
    leadflow::routing::v1::LeadAssigned record;  // the latest decision
    bool open = false;                           // with record.decision().rep_id()
    bool accepted = false;
    bool queued = false;         // waits in record.decision().team()'s queue
    int64_t sla_due_ms = 0;      // > 0: the SLA timer runs
    std::string last_feedback;   // "<kind>|<rep>" (FeedbackKindLabel) of the last feedback applied
    std::string last_detail;     // its reason or outcome name (REJECT, CLOSE)
    int64_t last_at_ms = 0;      // its time (the change's version, sales_state.h)
    int64_t accepted_at_ms = 0;  // the accept's time
    // The deal stage (FeedbackTags): "" none; entered at stage_at_ms.
    std::string stage;
    int64_t stage_at_ms = 0;
    int64_t value_rub = 0;
    std::string previous_stage;
    int64_t ms_in_previous_stage = 0;
    int64_t stalled_version = 0;  // the stall of this stay in `stage` (0 none)
  };
  struct State {
    std::map<std::string, Lead> leads;                  // by lead id
    std::map<std::string, std::set<std::string>> open;  // rep -> lead ids
    // team -> queue entries (queue_order.h) in drain order, best first
    std::map<std::string, std::vector<std::string>> queues;
    std::map<std::pair<std::string, std::string>, int64_t> daily;  // (day, rep) -> leads given
    std::map<std::string, leadflow::routing::v1::RepAvailability> availability;
    // rep -> (when set, windows)
    std::map<std::string, std::pair<int64_t, OutOfOffice>> out_of_office;
  };
  // The state at the end of the records fed so far. Daily counts are kept
  // for the days in `days` only (e.g. the reps' last three local days).
  // Queues are ranked by `order` (the policy's; queue_order.h), from each
  // queued lead's record, exactly as the engine ranked it when it queued it.
  State Build(const std::set<std::string>& days,
              const leadflow::config::v1::QueueOrder& order = DefaultQueueOrder()) const;

 private:
  struct Fed {
    leadflow::routing::v1::LeadAssigned record;
    int64_t decided_ms = 0;
    int64_t order = 0;
  };
  // A lead held by its decision's rep: the holder's feedback since the
  // decision, its stall, its SLA timer.
  void FoldHeld(const std::string& lead_id, const Fed& fed, Lead& lead) const;
  // One feedback of the holder.
  static void ApplyFeedback(const leadflow::routing::v1::SalesFeedback& f, Lead& lead);

  DayOf day_of_;
  int64_t order_ = 0;
  std::map<std::string, Fed> latest_;                             // lead -> latest decision
  std::map<std::pair<std::string, std::string>, int64_t> given_;  // (day, rep) -> count
  std::map<std::string, std::set<std::string>> counted_;          // lead -> reps counted
  std::map<std::string, std::vector<leadflow::routing::v1::SalesFeedback>> feedback_;
  std::map<std::string, leadflow::routing::v1::RepAvailability> availability_;
  std::map<std::string, std::pair<int64_t, OutOfOffice>> out_of_office_;
  std::map<std::string, std::map<int64_t, int64_t>> stalls_;  // lead -> stage_version -> version
};

}  // namespace leadflow::routing
