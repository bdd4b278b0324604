#include "nurture/app/suppressions.h"

#include "nurture/app/nurture_keys.h"
#include "nurture/app/nurture_replies.h"

namespace leadflow::nurture {
namespace {

std::string Key(const std::string& account_key) {
  return std::string(kNurtureKeyPrefix) + "suppressed:" + account_key;
}

}  // namespace

StatusOr<bool> Suppressions::IsSuppressed(const std::string& account_key,
                                          const std::string& topic) {
  return IntegerIsOne(redis_.Run({"SISMEMBER", Key(account_key), topic}), "SISMEMBER suppressed");
}

Status Suppressions::Add(const std::string& account_key, const std::string& topic) {
  auto r = redis_.Run({"SADD", Key(account_key), topic});
  if (!r.ok()) return r.status();
  return redis::ExpectOk(*r, "SADD suppressed");
}

}  // namespace leadflow::nurture
