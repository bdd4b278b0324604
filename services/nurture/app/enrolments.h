// The enrolments (nurture_keys.h): each enrolment's hash and request, its sent
// list, and the contact, lead, account and email indexes that find it.
// Thread-safe as far as redis::Client is; Redis failures come back as
// kUnavailable.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "nurture/app/nurture_records.h"

namespace leadflow::nurture {

class Enrolments {
 public:
  explicit Enrolments(redis::Client& redis) : redis_(redis) {}

  // Creates the enrolment and schedules its first touch, atomically; false if
  // it already existed (a redelivered request).
  StatusOr<bool> Enrol(const NewEnrolment& e, const leadflow::routing::v1::NurtureRequested& req);
  // Enrol() of each, in one script run; one result per write, in order (a
  // connection failure fails every one).
  std::vector<StatusOr<bool>> EnrolMany(const std::vector<EnrolWrite>& writes);

  StatusOr<std::optional<EnrolmentRecord>> Get(const std::string& enrolment_id);
  StatusOr<std::optional<leadflow::routing::v1::NurtureRequested>> GetRequest(
      const std::string& enrolment_id);
  // The ids its hash holds (one HMGET): the keys its end touches.
  StatusOr<EnrolmentFields> Fields(const std::string& enrolment_id);
  StatusOr<std::vector<std::string>> EnrolmentsOfContact(const std::string& contact_id);
  StatusOr<std::vector<std::string>> EnrolmentsOfLead(const std::string& lead_id);
  StatusOr<std::vector<std::string>> EnrolmentsOfAccount(const std::string& account_key);
  StatusOr<std::optional<std::string>> ContactByEmail(const std::string& email);

  // Marks an active enrolment EXITED, unschedules its pending touch and ends
  // it (see the lifecycle in nurture_keys.h). Two round trips: the
  // enrolment's fields, then the script. False when it was not active.
  StatusOr<bool> Exit(const std::string& enrolment_id, const std::string& reason);

  // Per query, in one pipeline: the lead's enrolment ids (SMEMBERS of each
  // lead index asked for) and whether the contact or email unsubscribed (one
  // SMISMEMBER of the unsubscribed contacts and one of the emails for the
  // batch). One result per query, in order.
  std::vector<StatusOr<EnrolChecks>> EnrolChecksMany(const std::vector<EnrolCheckQuery>& queries);

 private:
  StatusOr<std::vector<std::string>> Members(const std::string& key);
  redis::Client& redis_;
};

}  // namespace leadflow::nurture
