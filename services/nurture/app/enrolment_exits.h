// How an enrolment ends early or moves (docs/domain-rules.md §1, §7): an
// exit with a reason (counted in leadflow_nurture_exits_total), an
// unsubscribe (every enrolment of the contact), and a migration: a contact
// whose relationship changed leaves its track and enters one of the new
// audience at once. Thread-safe as far as its stores are.
#pragma once

#include <string>
#include <vector>

#include "nurture/app/enrolment_handler.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"

namespace leadflow::nurture {

class EnrolmentExits {
 public:
  EnrolmentExits(NurtureStore& store, NurtureMetrics& metrics, EnrolmentHandler& enrolment)
      : store_(store), metrics_(metrics), enrolment_(enrolment) {}

  Status Exit(const std::string& enrolment_id, const std::string& reason);
  Status ExitAll(const std::vector<std::string>& enrolment_ids, const std::string& reason);
  // Unsubscribes a contact: recorded first (so a touch in progress sees it),
  // then every enrolment exits with `reason`. Returns how many exited.
  StatusOr<int> Unsubscribe(const std::string& contact_id, const std::string& reason);
  // Exits `enrolment_id` and enrols its lead in the track of `now_is`. A
  // programme enrolment (customers only) just exits.
  Status Migrate(const std::string& enrolment_id, leadflow::common::v1::Relationship now_is);

 private:
  NurtureStore& store_;
  NurtureMetrics& metrics_;
  EnrolmentHandler& enrolment_;
};

}  // namespace leadflow::nurture
