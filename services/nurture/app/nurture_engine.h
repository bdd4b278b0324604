// Nurture's message path and scheduler.
//
// Handle(): leads.nurture -> enrolment. Prospects only: a CUSTOMER arriving
// here (on the event, or per nurture's current registry view) is a violation -
// blocked, logged, counted in leadflow_audience_violations_total and
// dead-lettered with AUDIENCE_MISMATCH. Enrolment is idempotent (enrolment id
// = lead_id:track_id), so a redelivered request enrols once.
//
// PollOnce(): sends due touches. For each: re-check the contact's CURRENT
// relationship in the registry view (mismatch -> violation, exit), then
// unsubscribe and topic suppression, then emit a Touch on nurture.touches
// keyed by contact id, exactly once per touch id.
//
// Threading: Handle() and PollOnce() may run on different threads; all state
// is in Redis. Not copyable; must outlive the consumer loop and background task.
#pragma once

#include <atomic>
#include <memory>

#include "common/kafka/consumer_loop.h"
#include "common/kafka/producer.h"
#include "common/registry/account_registry.h"
#include "common/util/clock.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"
#include "nurture/domain/nurture_policy.h"

namespace leadflow::nurture {

class NurtureEngine {
 public:
  NurtureEngine(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                registry::AccountRegistry& registry, kafka::Producer& producer,
                NurtureMetrics& metrics, const Clock& clock);

  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out);
  kafka::MessageHandler Handler();

  // Processes every touch due now (up to `limit`); returns how many were
  // handled (sent, suppressed or exited), or kUnavailable if Redis is down.
  StatusOr<int> PollOnce(int limit = 200);
  // Runs PollOnce every `interval` until `stop` (rt.AddBackgroundTask).
  void RunScheduler(const std::atomic<bool>& stop,
                    std::chrono::milliseconds interval = std::chrono::milliseconds(200));

  const NurturePolicy& policy() const { return *policy_; }

 private:
  // The contact's relationship per the registry view: CUSTOMER or PROSPECT
  // (not found = PROSPECT).
  StatusOr<leadflow::common::v1::Relationship> CurrentRelationship(
      const leadflow::routing::v1::NurtureRequested& req);
  Status ProcessTouch(const std::string& touch_id, int64_t now_ms);
  Status ExitEnrolment(const std::string& enrolment_id, const std::string& reason);

  std::shared_ptr<const NurturePolicy> policy_;
  NurtureStore& store_;
  registry::AccountRegistry& registry_;
  kafka::Producer& producer_;
  NurtureMetrics& metrics_;
  const Clock& clock_;
};

}  // namespace leadflow::nurture
