#include "nurture/app/nurture_eraser.h"

#include <set>

#include "nurture/app/nurture_keys.h"

namespace leadflow::nurture {
namespace {

Status Unavailable(const Status& s) {
  return s.code() == StatusCode::kUnavailable
             ? s
             : Status::Unavailable("nurture erasure: " + s.message());
}

}  // namespace

Status NurtureEraser::Erase(const leadflow::privacy::v1::ContactErasure& erasure) {
  const std::string p = kNurtureKeyPrefix;
  const std::string& contact = erasure.contact_id();
  // The tombstone first: from here on nothing enrols or touches the contact.
  if (Status s = store_.unsubscribes().Add(contact); !s.ok()) return Unavailable(s);
  auto ids = store_.enrolments().EnrolmentsOfContact(contact);
  if (!ids.ok()) return Unavailable(ids.status());
  // The emails the contact's enrolments hold, read before the exits below
  // end them (an ended enrolment keeps no email).
  std::set<std::string> emails;
  for (const auto& id : *ids) {
    auto rec = store_.enrolments().Get(id);
    if (!rec.ok()) return Unavailable(rec.status());
    if (rec->has_value() && !(*rec)->email.empty()) emails.insert((*rec)->email);
    auto req = store_.enrolments().GetRequest(id);  // enrolments from before the email field
    if (!req.ok() && req.status().code() != StatusCode::kInternal) {
      return Unavailable(req.status());
    }
    if (req.ok() && req->has_value()) {
      const std::string& email = (*req)->scored().lead().contact().email();
      if (!email.empty()) emails.insert(email);
    }
  }
  auto exited = store_.unsubscribes().Unsubscribe(contact, "erased");
  if (!exited.ok()) return Unavailable(exited.status());
  std::vector<redis::Command> cmds;
  for (const auto& id : *ids) {
    auto rec = store_.enrolments().Get(id);
    if (!rec.ok()) return Unavailable(rec.status());
    if (rec->has_value()) {
      cmds.push_back({"SREM", p + "lead:" + (*rec)->enrolment.lead_id(), id});
      cmds.push_back({"SREM", p + "account:" + (*rec)->account_key, id});
    }
    cmds.push_back({"DEL", p + "enrol:" + id, p + "req:" + id, p + "sent-list:" + id});
  }
  for (const auto& email : emails) {
    cmds.push_back({"DEL", p + "contact-email:" + email});
    cmds.push_back({"SREM", p + "unsub-email", email});
  }
  // The index last: a failure before it leaves it for the redelivered erasure.
  cmds.push_back({"DEL", p + "sends:" + contact});
  cmds.push_back({"DEL", p + "contact:" + contact});
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return Unavailable(r.status());
  for (const auto& reply : *r) {
    if (reply.is_error()) return Status::Unavailable("nurture erasure: " + reply.str);
  }
  return Status::Ok();
}

}  // namespace leadflow::nurture
