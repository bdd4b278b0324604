#include "nurture/app/programme_store.h"

#include "nurture/app/nurture_keys.h"
#include "nurture/app/nurture_store.h"

namespace leadflow::nurture {
namespace {

const std::string kP = kNurtureKeyPrefix;

Status Check(const StatusOr<redis::Reply>& r, const std::string& what) {
  if (!r.ok()) return r.status();
  if (r->is_error()) return Status::Unavailable("redis " + what + ": " + r->str);
  return Status::Ok();
}

}  // namespace

Status ProgrammeStore::SetCustomerAccount(const std::string& account_key, bool customer) {
  if (account_key.empty()) return Status::Ok();
  return Check(redis_.Run({customer ? "SADD" : "SREM", kP + "prog-accounts", account_key}),
               "prog-accounts");
}

StatusOr<std::vector<std::string>> ProgrammeStore::CustomerAccounts() {
  auto r = redis_.Run({"SMEMBERS", kP + "prog-accounts"});
  if (Status s = Check(r, "SMEMBERS prog-accounts"); !s.ok()) return s;
  std::vector<std::string> out;
  out.reserve(r->elements.size());
  for (const auto& e : r->elements) out.push_back(e.str);
  return out;
}

StatusOr<bool> ProgrammeStore::CyclesComplete() {
  auto r = redis_.Run({"EXISTS", kP + "prog-state"});
  if (Status s = Check(r, "EXISTS prog-state"); !s.ok()) return s;
  return r->integer == 1;
}

Status ProgrammeStore::RestoreCycles(
    const std::vector<std::pair<std::string, std::string>>& enrolled) {
  std::vector<redis::Command> cmds;
  cmds.reserve(enrolled.size() * 2 + 1);
  for (const auto& [lead, enrolment] : enrolled) {
    cmds.push_back({"SADD", kP + "lead:" + lead, enrolment});
    cmds.push_back({"EXPIRE", kP + "lead:" + lead, std::to_string(kIndexTtl.count())});
  }
  cmds.push_back({"SET", kP + "prog-state", "1"});  // last: complete only when all is written
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  for (const auto& reply : *r) {
    if (reply.is_error())
      return Status::Unavailable("redis restoring programme cycles: " + reply.str);
  }
  return Status::Ok();
}

}  // namespace leadflow::nurture
