#include "nurture/app/unsubscribes.h"

#include "nurture/app/nurture_keys.h"
#include "nurture/app/nurture_replies.h"

namespace leadflow::nurture {
namespace {

const std::string kP = kNurtureKeyPrefix;

}  // namespace

StatusOr<int> Unsubscribes::Unsubscribe(const std::string& contact_id, const std::string& reason) {
  if (Status s = Add(contact_id); !s.ok()) return s;
  auto ids = enrolments_.EnrolmentsOfContact(contact_id);
  if (!ids.ok()) return ids.status();
  int exited = 0;
  for (const auto& id : *ids) {
    auto r = enrolments_.Exit(id, reason);
    if (!r.ok()) return r.status();
    if (*r) ++exited;
  }
  return exited;
}

StatusOr<bool> Unsubscribes::IsMember(const std::string& set, const std::string& member) {
  return IntegerIsOne(redis_.Run({"SISMEMBER", kP + set, member}), "SISMEMBER " + set);
}

Status Unsubscribes::AddMember(const std::string& set, const std::string& member) {
  auto r = redis_.Run({"SADD", kP + set, member});
  if (!r.ok()) return r.status();
  return redis::ExpectOk(*r, "SADD " + set);
}

StatusOr<bool> Unsubscribes::Contains(const std::string& contact_id) {
  return IsMember("unsub", contact_id);
}
Status Unsubscribes::Add(const std::string& contact_id) { return AddMember("unsub", contact_id); }
StatusOr<bool> Unsubscribes::ContainsEmail(const std::string& email) {
  return IsMember("unsub-email", email);
}
Status Unsubscribes::AddEmail(const std::string& email) { return AddMember("unsub-email", email); }

}  // namespace leadflow::nurture
