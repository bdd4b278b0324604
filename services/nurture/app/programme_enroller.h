// Proactive customer programmes (docs/domain-rules.md §7; the schedule:
// nurture/domain/programme_schedule.h): every CUSTOMER account of the registry
// whose cycle is due enrols in the programme's track, chosen by the size of
// the customer base. Its touches address the account ("a-" + account key), go
// through the same checks as every touch and notify the owner; a programme
// enrolment whose account stops being a customer exits, it never moves to a
// prospect track. Run from the scheduler every programme_scan_seconds of
// schedule time. Thread-safe as far as its stores are.
#pragma once

#include <memory>

#include "common/registry/account_registry.h"
#include "common/util/clock.h"
#include "nurture/app/enrolment_handler.h"
#include "nurture/app/programme_store.h"
#include "nurture/app/touch_recovery.h"
#include "nurture/domain/nurture_policy.h"

namespace leadflow::nurture {

class ProgrammeEnroller {
 public:
  ProgrammeEnroller(std::shared_ptr<const NurturePolicy> policy,
                    registry::AccountRegistry& registry, const Clock& clock,
                    EnrolmentHandler& enrolment, TouchLogScan scan)
      : policy_(std::move(policy)),
        registry_(registry),
        clock_(clock),
        enrolment_(enrolment),
        scan_(std::move(scan)) {}

  // Programmes run only with a programme store; call before the scheduler starts.
  void SetProgrammeStore(ProgrammeStore* programmes) { programmes_ = programmes; }
  bool enabled() const { return programmes_ != nullptr && !policy_->config().programmes().empty(); }

  // Enrols each CUSTOMER account of the programme base in every programme
  // whose current cycle for it is enrollable and not enrolled yet (a cycle
  // enrols once: its lead id is the cycle's). First restores the record of
  // enrolled cycles from nurture.touches when Redis lost it. Fails closed:
  // kUnavailable (nothing enrolled) while the registry view is not ready.
  // Returns how many due cycles it found (each enrolled now or before).
  StatusOr<int> EnrolProgrammes();

 private:
  // Restores the programmes' enrolled cycles from nurture.touches when the
  // prog-state marker is missing (a Redis loss, or the first start).
  Status RestoreProgrammeCycles();
  // The accounts of the programme base that are CUSTOMER accounts in the view now.
  StatusOr<std::vector<leadflow::accounts::v1::AccountState>> Customers();
  // The enrolment of `account` in the programme's cycle due now, if any.
  static std::optional<EnrolRequest> CycleRequest(const leadflow::config::v1::Programme& prog,
                                                  const leadflow::config::v1::Track* track,
                                                  const leadflow::accounts::v1::AccountState& acct,
                                                  int64_t now_ms);

  std::shared_ptr<const NurturePolicy> policy_;
  registry::AccountRegistry& registry_;
  const Clock& clock_;
  EnrolmentHandler& enrolment_;
  TouchLogScan scan_;
  ProgrammeStore* programmes_ = nullptr;
};

}  // namespace leadflow::nurture
