#include "nurture/app/account_change_handler.h"

#include <set>

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;

Status AccountChangeHandler::Handle(const std::string& epoch,
                                    const kafka::ConsumedMessage& message) {
  if (Status s = registry_.Apply(epoch, message); !s.ok()) return s;
  leadflow::accounts::v1::AccountState acct;
  if (message.payload.empty() || !acct.ParseFromString(message.payload) || acct.deleted()) {
    // A removal leaves the programme base; the send-time check handles the rest.
    if (programmes_ != nullptr) {
      if (Status s = programmes_->SetCustomerAccount(message.key, false); !s.ok()) return s;
      if (Status s = programmes_->SetCustomerAccount(acct.account_key(), false); !s.ok()) return s;
    }
    return Status::Ok();
  }
  const cv1::Relationship now_is =
      acct.relationship() == cv1::CUSTOMER ? cv1::CUSTOMER : cv1::PROSPECT;
  if (programmes_ != nullptr) {  // the programme base: the registry's customers
    const std::string& key = acct.account_key().empty() ? message.key : acct.account_key();
    if (Status s = programmes_->SetCustomerAccount(key, now_is == cv1::CUSTOMER); !s.ok()) {
      return s;
    }
  }
  std::set<std::string> keys = {acct.account_key(), message.key};
  if (!acct.inn().empty()) keys.insert(acct.inn());
  for (const auto& d : acct.domains()) keys.insert(d);
  for (const auto& key : keys) {
    if (key.empty()) continue;
    if (Status s = MoveEnrolmentsOf(key, now_is); !s.ok()) return s;
  }
  return Status::Ok();
}

Status AccountChangeHandler::MoveEnrolmentsOf(const std::string& key, cv1::Relationship now_is) {
  auto ids = store_.enrolments().EnrolmentsOfAccount(key);
  if (!ids.ok()) return ids.status();
  for (const auto& id : *ids) {
    auto rec = store_.enrolments().Get(id);
    if (!rec.ok()) return rec.status();
    if (!rec->has_value()) continue;
    const auto& e = (*rec)->enrolment;
    if (e.state() != nv1::ACTIVE_ENROLMENT || e.audience() == now_is) continue;
    // Only if this contact really belongs to the changed account now.
    auto req = store_.enrolments().GetRequest(id);
    if (!req.ok()) return req.status();
    if (!req->has_value()) continue;
    auto current = AppliedRelationship(**req);
    if (!current.ok()) return current.status();
    if (*current == e.audience()) continue;
    if (Status s = exits_.Migrate(id, *current); !s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<cv1::Relationship> AccountChangeHandler::AppliedRelationship(
    const leadflow::routing::v1::NurtureRequested& req) {
  const auto& lead = req.scored().lead();
  auto acct = std::move(registry_
                            .LookupManyAsApplied({{lead.contact().email(), lead.company().domain(),
                                                   lead.company().inn()}})
                            .front());
  if (!acct.ok()) return acct.status();
  if (acct->has_value() && (*acct)->relationship() == cv1::CUSTOMER) return cv1::CUSTOMER;
  return cv1::PROSPECT;
}

}  // namespace leadflow::nurture
