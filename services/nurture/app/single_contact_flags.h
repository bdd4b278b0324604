// Nurture's memory of which customer accounts were flagged to their manager
// as a single contact (nurture/domain/single_contact.h), so a manager hears of
// an account at most once per kSingleContactFlagSeconds.
//
//   lf:{nurture}:single-contact:<account>   the lead id that raised the flag;
//                                           TTL kSingleContactFlagSeconds
//                                           (90 days). ~100 B per flagged
//                                           customer account (docs/state.md).
//
// A claim is one SET NX GET EX: it wins when no flag exists, and a redelivery
// of the lead that raised it (the flag holds its id) wins again, so a batch
// that failed to publish its notice repeats it rather than loses it.
// Thread-safe as far as redis::Client is; a Redis failure is kUnavailable.
#pragma once

#include <string>
#include <vector>

#include "common/redis/client.h"
#include "common/util/status.h"

namespace leadflow::nurture {

class SingleContactFlags {
 public:
  explicit SingleContactFlags(redis::Client& redis) : redis_(redis) {}

  struct Claim {
    std::string account_key;
    std::string lead_id;
  };
  struct Claimed {
    Status status;      // kUnavailable when Redis failed or refused
    bool tell = false;  // this lead may tell the manager (a new flag, or its own)
  };
  // One result per claim, in one round trip.
  std::vector<Claimed> ClaimMany(const std::vector<Claim>& claims);

  static std::string Key(const std::string& account_key) {
    return "lf:{nurture}:single-contact:" + account_key;
  }

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::nurture
