// accounts.changes, through the registry's view::TopicView, which calls it in
// topic order (docs/domain-rules.md §1, §7): each record is applied to the
// registry view; then every active enrolment of that account whose audience
// no longer matches leaves its track and enters one of the new audience at
// once (EnrolmentExits::Migrate). With a programme store, the registry's
// CUSTOMER accounts are also kept as the programmes' base. While the view
// rebuilds, the send-time and enrolment lookups refuse (kUnavailable), so
// nothing is sent on a guess. Thread-safe as far as its stores are.
#pragma once

#include <string>

#include "common/kafka/consumer_loop.h"
#include "common/registry/account_registry.h"
#include "nurture/app/enrolment_exits.h"
#include "nurture/app/nurture_store.h"
#include "nurture/app/programme_store.h"

namespace leadflow::nurture {

class AccountChangeHandler {
 public:
  AccountChangeHandler(NurtureStore& store, registry::AccountRegistry& registry,
                       EnrolmentExits& exits)
      : store_(store), registry_(registry), exits_(exits) {}

  // Keeps the programmes' base; call before the consumers start.
  void SetProgrammeStore(ProgrammeStore* programmes) { programmes_ = programmes; }

  // One accounts.changes record of the registry view's build `epoch` (see
  // AccountRegistry::Apply for the statuses).
  Status Handle(const std::string& epoch, const kafka::ConsumedMessage& message);

 private:
  // The enrolments of the account known by `key` whose audience is no longer
  // the contact's move to a track of its relationship now.
  Status MoveEnrolmentsOf(const std::string& key, leadflow::common::v1::Relationship now_is);
  // The contact's relationship in the registry view as applied so far: only
  // for Handle, which runs inside the view's own updates.
  StatusOr<leadflow::common::v1::Relationship> AppliedRelationship(
      const leadflow::routing::v1::NurtureRequested& req);

  NurtureStore& store_;
  registry::AccountRegistry& registry_;
  EnrolmentExits& exits_;
  ProgrammeStore* programmes_ = nullptr;
};

}  // namespace leadflow::nurture
