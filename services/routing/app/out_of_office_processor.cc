#include "routing/app/out_of_office_processor.h"

#include "common/log/log.h"
#include "routing/app/routing_outputs.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

namespace {
constexpr int64_t kMaxClockSkewMs = 5 * 60 * 1000;
}  // namespace

OutOfOfficeProcessor::OutOfOfficeProcessor(std::shared_ptr<const RoutingPolicy> policy,
                                           OutOfOfficeStore& store, const Clock& clock,
                                           std::function<void()> on_change)
    : policy_(std::move(policy)), store_(store), clock_(clock), on_change_(std::move(on_change)) {}

StatusOr<OutOfOffice> OutOfOfficeProcessor::Validate(const rv1::RepOutOfOffice& change) const {
  if (change.rep_id().empty()) {
    return Status::InvalidArgument("rep_id: required", cv1::MISSING_FIELD);
  }
  if (policy_->FindRep(change.rep_id()) == nullptr) {
    return Status::InvalidArgument("rep_id: unknown rep \"" + change.rep_id() + "\"",
                                   cv1::INVALID_FIELD);
  }
  const int64_t now = clock_.NowMillis();
  if (change.has_at() && ToMillis(change.at()) > now + kMaxClockSkewMs) {
    // A later change wins: a clock far ahead would lock the rep's windows.
    return Status::InvalidArgument("at: more than 5 minutes in the future", cv1::INVALID_FIELD);
  }
  auto windows = OutOfOfficeFromProto(change.windows(), now);
  if (!windows.ok()) {
    return Status::InvalidArgument(windows.status().message(), cv1::INVALID_FIELD);
  }
  return windows;
}

StatusOr<OutOfOffice> OutOfOfficeProcessor::Apply(const rv1::RepOutOfOffice& change) {
  auto windows = Validate(change);
  if (!windows.ok()) return windows.status();
  const int64_t at = change.has_at() ? ToMillis(change.at()) : clock_.NowMillis();
  auto applied = store_.Set(change.rep_id(), *windows, at);
  if (!applied.ok()) return applied.status();
  if (*applied) {
    log::Info("rep out-of-office set", {{"rep", change.rep_id()},
                                        {"windows", std::to_string(windows->size())}});
    if (on_change_) on_change_();
  }
  return windows;
}

Status OutOfOfficeProcessor::Handle(const kafka::ConsumedMessage& message,
                                    std::vector<kafka::OutgoingMessage>& /*out*/) {
  rv1::RepOutOfOffice change;
  if (!change.ParseFromString(message.payload)) {
    return Status::InvalidArgument(message.topic + " payload is not a RepOutOfOffice",
                                   cv1::MALFORMED_PAYLOAD);
  }
  auto applied = Apply(change);
  return applied.ok() ? Status::Ok() : applied.status();
}

}  // namespace leadflow::routing
