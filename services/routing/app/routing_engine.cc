#include "routing/app/routing_engine.h"

#include "common/log/log.h"
#include "routing/app/routing_outputs.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

RoutingEngine::RoutingEngine(std::shared_ptr<const RoutingPolicy> policy, RoutingStore& store,
                             AssignmentBroadcaster& broadcaster, RoutingMetrics& metrics,
                             const Clock& clock)
    : policy_(policy),
      store_(store),
      broadcaster_(broadcaster),
      metrics_(metrics),
      clock_(clock),
      days_(policy),
      router_(policy) {}

kafka::MessageHandler RoutingEngine::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return Handle(m, out);
  };
}

kafka::BatchHandler RoutingEngine::BatchHandler() {
  return [this](const std::vector<kafka::ConsumedMessage>& batch) { return HandleBatch(batch); };
}

StatusOr<RepStateView> RoutingEngine::LoadReps(std::chrono::system_clock::time_point now) {
  return store_.LoadRepStates(policy_->AllRepIds(),
                              [&](const std::string& rep) { return days_.Day(rep, now); });
}

std::string RoutingEngine::PickRep(const leadflow::config::v1::Team& team, const RepStateView& reps,
                                   std::chrono::system_clock::time_point now, rv1::Decision& d,
                                   const std::set<std::string>& exclude) {
  std::lock_guard lock(router_mu_);
  return router_.PickRep(team, reps, now, d, exclude);
}

void RoutingEngine::FillLimits(const std::string& rep_id, std::chrono::system_clock::time_point now,
                               std::string* day, int* max_open, int* daily_cap) const {
  *day = days_.Day(rep_id, now);
  const RepPolicy* rp = policy_->FindRep(rep_id);
  *max_open = rp != nullptr ? rp->rep->max_open_leads() : 0;
  *daily_cap = rp != nullptr ? rp->rep->daily_cap() : 0;
}

void RoutingEngine::Observe(const leadflow::scoring::v1::LeadScored& scored, const rv1::Decision& d,
                            const ClaimResult& claim) {
  const auto& meta = scored.lead().meta();
  metrics_.Decision(d, scored.segment());
  const auto outcome = d.outcome();
  const bool handed_over =
      outcome == rv1::ASSIGNED || outcome == rv1::NAMED_OWNER || outcome == rv1::CUSTOMER_INBOUND;
  if (handed_over && meta.has_first_submitted_at()) {
    const double first = static_cast<double>(meta.first_submitted_at().seconds()) +
                         meta.first_submitted_at().nanos() / 1e9;
    metrics_.SpeedToLead(d, clock_.NowMillis() / 1000.0 - first);
  }
  if ((outcome == rv1::ASSIGNED || outcome == rv1::NAMED_OWNER) && !d.rep_id().empty()) {
    metrics_.RepOpenLeads(d.team(), d.rep_id(), static_cast<double>(claim.rep_open_leads));
  } else if (outcome == rv1::QUEUED) {
    // For a queue claim the script reports the queue length after RPUSH.
    metrics_.QueueDepth(d.team(), static_cast<double>(claim.rep_open_leads));
  }
}

Status RoutingEngine::Handle(const kafka::ConsumedMessage& message,
                             std::vector<kafka::OutgoingMessage>& out) {
  auto results = Route({&message});
  for (auto& m : results.front().out) out.push_back(std::move(m));
  return results.front().status;
}

std::vector<kafka::HandledMessage> RoutingEngine::HandleBatch(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<const kafka::ConsumedMessage*> messages;
  messages.reserve(batch.size());
  for (const auto& m : batch) messages.push_back(&m);
  return Route(messages);
}

}  // namespace leadflow::routing
