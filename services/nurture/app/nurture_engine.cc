#include "nurture/app/nurture_engine.h"

#include <thread>

#include "common/kafka/topics.h"
#include "common/log/log.h"

namespace leadflow::nurture {

namespace {

// How often the programmes look for due accounts when the config does not say.
constexpr int64_t kDefaultProgrammeScanSeconds = 3600;

}  // namespace

NurtureEngine::NurtureEngine(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                             registry::AccountRegistry& registry, kafka::Producer& producer,
                             NurtureMetrics& metrics, const Clock& clock, TouchLogScan scan)
    : policy_(policy),
      store_(store),
      clock_(clock),
      enrolment_(policy, store, registry, metrics, clock),
      exits_(store, metrics, enrolment_),
      account_changes_(store, registry, exits_),
      exit_events_(policy, store, registry, metrics, exits_),
      finisher_(policy, store, metrics),
      recovery_(store, registry, producer, clock, finisher_, scan),
      scheduler_(policy, store, registry, producer, metrics, clock, finisher_, exits_),
      programmes_(policy, registry, clock, enrolment_, scan) {}

Status NurtureEngine::HandleNurtureRequest(const kafka::ConsumedMessage& message,
                                           std::vector<kafka::OutgoingMessage>& out) {
  auto results = enrolment_.HandleBatch({message});
  for (auto& m : results.front().out) out.push_back(std::move(m));
  return results.front().status;
}

kafka::MessageHandler NurtureEngine::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return HandleNurtureRequest(m, out);
  };
}

kafka::BatchHandler NurtureEngine::EnrolmentsHandler() {
  return [this](const std::vector<kafka::ConsumedMessage>& batch) {
    return enrolment_.HandleBatch(batch);
  };
}

view::ApplyFn NurtureEngine::AccountChangesApplier() {
  return [this](const std::string& epoch, const kafka::ConsumedMessage& m) {
    return account_changes_.Handle(epoch, m);
  };
}

kafka::MessageHandler NurtureEngine::ExitsHandler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return exit_events_.Handle(m, out);
  };
}

bool NurtureEngine::HoldLease(bool was_leader) {
  if (lease_owner_.empty()) return true;
  auto held = store_.lease().Hold(lease_owner_, lease_ttl_.count());
  const bool leader = held.ok() && *held;
  if (leader != was_leader) {
    log::Info(leader ? "scheduler lease taken" : "scheduler lease lost",
              {{"instance", lease_owner_}});
  }
  return leader;
}

int64_t NurtureEngine::ScanProgrammes(int64_t next_scan_ms) {
  if (!programmes_.enabled() || clock_.NowMillis() < next_scan_ms) return next_scan_ms;
  const int64_t scan_s = policy_->config().programme_scan_seconds() > 0
                             ? policy_->config().programme_scan_seconds()
                             : kDefaultProgrammeScanSeconds;
  auto due = programmes_.EnrolProgrammes();
  if (!due.ok()) {
    log::Warn("programme enrolment failed; retried", {{"error", due.status().message()}});
  } else if (*due > 0) {
    log::Info("programme cycles due", {{"cycles", std::to_string(*due)}});
  }
  // A failure (e.g. the registry view rebuilding) is retried sooner.
  return clock_.NowMillis() + (due.ok() ? scan_s * 1000 : scan_s * 100);
}

void NurtureEngine::RunScheduler(const std::atomic<bool>& stop,
                                 std::chrono::milliseconds interval) {
  bool recovered = false;
  bool leader = lease_owner_.empty();
  int64_t next_programme_scan_ms = 0;  // at once when a term starts
  while (!stop.load()) {
    leader = HoldLease(leader);
    if (!leader) {
      recovered = false;  // a new term starts with recovery
      next_programme_scan_ms = 0;
      std::this_thread::sleep_for(interval);
      continue;
    }
    if (!recovered) {
      auto r = recovery_.Recover();
      recovered = r.ok();
      if (!r.ok()) log::Warn("nurture recovery failed", {{"error", r.status().message()}});
    }
    if (recovered) {
      auto n = scheduler_.PollOnce();
      if (!n.ok()) {
        log::Warn("nurture scheduler poll failed", {{"error", n.status().message()}});
        recovered = false;  // in-flight touches are resolved before polling again
      }
    }
    next_programme_scan_ms = ScanProgrammes(next_programme_scan_ms);
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace leadflow::nurture
