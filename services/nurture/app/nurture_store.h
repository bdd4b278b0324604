// Nurture's Redis state, one store per job (the keys: nurture_keys.h):
//   Enrolments      the enrolments, their requests and indexes
//   TouchLedger     the touch schedule (due, in flight) and what was sent
//   TouchChecks     what the checks before a touch read, a poll at a time
//   Unsubscribes    the unsubscribed contacts and emails
//   Suppressions    the topics suppressed per account
//   SchedulerLease  the one replica that runs the scheduler
// NurtureStore only makes them, on one Redis client, and hands them out.
#pragma once

#include "common/redis/client.h"
#include "nurture/app/enrolments.h"
#include "nurture/app/nurture_keys.h"
#include "nurture/app/scheduler_lease.h"
#include "nurture/app/suppressions.h"
#include "nurture/app/touch_checks.h"
#include "nurture/app/touch_ledger.h"
#include "nurture/app/unsubscribes.h"

namespace leadflow::nurture {

class NurtureStore {
 public:
  explicit NurtureStore(redis::Client& redis)
      : enrolments_(redis),
        touches_(redis, enrolments_),
        checks_(redis),
        unsubscribes_(redis, enrolments_),
        suppressions_(redis),
        lease_(redis) {}
  NurtureStore(const NurtureStore&) = delete;
  NurtureStore& operator=(const NurtureStore&) = delete;

  Enrolments& enrolments() { return enrolments_; }
  TouchLedger& touches() { return touches_; }
  TouchChecks& checks() { return checks_; }
  Unsubscribes& unsubscribes() { return unsubscribes_; }
  Suppressions& suppressions() { return suppressions_; }
  SchedulerLease& lease() { return lease_; }

 private:
  Enrolments enrolments_;
  TouchLedger touches_;
  TouchChecks checks_;
  Unsubscribes unsubscribes_;
  Suppressions suppressions_;
  SchedulerLease lease_;
};

}  // namespace leadflow::nurture
