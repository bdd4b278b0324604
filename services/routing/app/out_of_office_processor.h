// Applies reps' out-of-office windows (docs/domain-rules.md, "Calendars") to
// routing's view (out_of_office_store.h), from the topic reps.out-of-office
// (HR and calendar tools, and routing's own SetRepOutOfOffice) and from gRPC.
//
// A record replaces the rep's windows; of two changes the one set later (its
// `at`, else the time it is applied) wins, in whatever order they arrive.
// Refused, and so dead-lettered on leads.rejected with the record's bytes:
// bytes that are not a RepOutOfOffice (MALFORMED_PAYLOAD), a record without
// rep_id (MISSING_FIELD), a rep the routing rules do not know, invalid
// windows or an `at` more than 5 minutes ahead (INVALID_FIELD, naming the
// field).
//
// Threading: Handle() and Apply() may run on any thread at once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/kafka/message.h"
#include "common/util/clock.h"
#include "common/util/status.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/app/out_of_office_store.h"
#include "routing/domain/out_of_office.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

class OutOfOfficeProcessor {
 public:
  // `on_change` runs after a change was applied (a rep may be back: the
  // scheduler drains the queues).
  OutOfOfficeProcessor(std::shared_ptr<const RoutingPolicy> policy, OutOfOfficeStore& store,
                       const Clock& clock, std::function<void()> on_change = {});

  // Validates `change` (a rep the rules know, valid windows) without
  // applying it: the normalised windows (sorted, merged, ended ones dropped).
  StatusOr<OutOfOffice> Validate(const leadflow::routing::v1::RepOutOfOffice& change) const;
  // Validates and applies `change`; the windows as stored.
  StatusOr<OutOfOffice> Apply(const leadflow::routing::v1::RepOutOfOffice& change);
  // A reps.out-of-office record (the consumer's handler).
  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out);

 private:
  std::shared_ptr<const RoutingPolicy> policy_;
  OutOfOfficeStore& store_;
  const Clock& clock_;
  std::function<void()> on_change_;
};

}  // namespace leadflow::routing
