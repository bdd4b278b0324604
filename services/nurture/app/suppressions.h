// Topics suppressed per account (nurture_keys.h, lf:{nurture}:suppressed:<account>):
// a touch of a suppressed topic is skipped, its track kept. Thread-safe as far
// as redis::Client is; Redis failures come back as kUnavailable.
#pragma once

#include <string>

#include "common/redis/client.h"

namespace leadflow::nurture {

class Suppressions {
 public:
  explicit Suppressions(redis::Client& redis) : redis_(redis) {}

  StatusOr<bool> IsSuppressed(const std::string& account_key, const std::string& topic);
  Status Add(const std::string& account_key, const std::string& topic);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::nurture
