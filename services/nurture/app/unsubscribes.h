// Who unsubscribed (nurture_keys.h): the unsubscribed contact ids, checked
// before every enrolment and every touch, and the unsubscribed emails of
// addresses never enrolled (checked at enrolment). Thread-safe as far as
// redis::Client is; Redis failures come back as kUnavailable.
#pragma once

#include <string>

#include "common/redis/client.h"
#include "nurture/app/enrolments.h"

namespace leadflow::nurture {

class Unsubscribes {
 public:
  Unsubscribes(redis::Client& redis, Enrolments& enrolments)
      : redis_(redis), enrolments_(enrolments) {}

  // Records the contact as unsubscribed (first, so a touch in progress sees
  // it), then exits every active enrolment of it with `reason`. Returns how
  // many enrolments exited.
  StatusOr<int> Unsubscribe(const std::string& contact_id, const std::string& reason);

  StatusOr<bool> Contains(const std::string& contact_id);
  Status Add(const std::string& contact_id);
  // By email, for addresses never enrolled yet (checked at enrolment).
  StatusOr<bool> ContainsEmail(const std::string& email);
  Status AddEmail(const std::string& email);

 private:
  StatusOr<bool> IsMember(const std::string& set, const std::string& member);
  Status AddMember(const std::string& set, const std::string& member);
  redis::Client& redis_;
  Enrolments& enrolments_;
};

}  // namespace leadflow::nurture
