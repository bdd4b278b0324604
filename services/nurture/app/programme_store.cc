#include "nurture/app/programme_store.h"

#include "nurture/app/nurture_keys.h"
#include "nurture/app/nurture_replies.h"

namespace leadflow::nurture {
namespace {

const std::string kP = kNurtureKeyPrefix;

Status Check(const StatusOr<redis::Reply>& r, std::string_view what) {
  return r.ok() ? redis::ExpectOk(*r, what) : r.status();
}

}  // namespace

Status ProgrammeStore::SetCustomerAccount(const std::string& account_key, bool customer) {
  if (account_key.empty()) return Status::Ok();
  return Check(redis_.Run({customer ? "SADD" : "SREM", kP + "prog-accounts", account_key}),
               "prog-accounts");
}

StatusOr<std::vector<std::string>> ProgrammeStore::CustomerAccounts() {
  return Strings(redis_.Run({"SMEMBERS", kP + "prog-accounts"}), "SMEMBERS prog-accounts");
}

StatusOr<bool> ProgrammeStore::CyclesComplete() {
  return IntegerIsOne(redis_.Run({"EXISTS", kP + "prog-state"}), "EXISTS prog-state");
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
  return redis::ExpectAllOk(redis_.Pipeline(cmds), "restoring programme cycles");
}

}  // namespace leadflow::nurture
