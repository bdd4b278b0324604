// The values nurture's stores read and write (nurture_keys.h has the keys).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::nurture {

struct NewEnrolment {
  std::string enrolment_id;
  std::string contact_id;
  std::string lead_id;
  std::string track_id;
  leadflow::common::v1::Relationship audience = leadflow::common::v1::PROSPECT;
  std::string account_key;
  std::string email;  // normalised; for Unsubscribe by email
  std::string trace_id;
  int64_t enrolled_ms = 0;
  std::string first_touch_id;
  int64_t first_due_ms = 0;
};

struct EnrolmentRecord {
  leadflow::nurture::v1::Enrolment enrolment;  // state, next step, sent touches...
  std::string account_key;                     // "" once ended
  std::string email;                           // "" once ended (or enrolled before it was kept)
  std::string trace_id;
  int64_t next_due_ms = 0;
  int64_t enrolled_ms = 0;
};

// An enrolment's ids as its hash holds them (exists: the hash does).
struct EnrolmentFields {
  bool exists = false;
  std::string contact_id, lead_id, account_key, email;
};

// What an enrolment checks first (Enrolments::EnrolChecksMany).
struct EnrolCheckQuery {
  std::string lead_id;  // "" skips the lead's enrolment index
  std::string contact_id;
  std::string email;  // "" skips the unsubscribed-email set
};
struct EnrolChecks {
  std::vector<std::string> lead_enrolments;  // the lead's enrolment ids
  bool unsubscribed = false;                 // by contact id or email
};
struct EnrolWrite {
  const NewEnrolment* enrolment;
  const leadflow::routing::v1::NurtureRequested* request;
};

// What the checks before a touch read about it (TouchChecks).
struct TouchState {
  std::optional<EnrolmentRecord> record;  // without the sent list
  std::optional<leadflow::routing::v1::NurtureRequested> request;
  bool already_sent = false;  // on nurture.touches already (sent marker)
};
struct ContactCheckQuery {
  std::string contact_id;
  std::vector<std::string> accounts;  // suppression is checked for each
  std::string topic;
  int64_t now_ms = 0;
};
struct ContactChecks {
  bool unsubscribed = false;
  bool suppressed = false;            // the topic for any of the accounts
  std::vector<int64_t> recent_sends;  // as TouchChecks::RecentSends
};

// A touch's way out of the in-flight hash (TouchLedger).
struct DeferArgs {
  std::string enrolment_id;
  int step = 0;
  std::string touch_id;
  int64_t due_ms = 0;
};
struct FinishArgs {
  std::string enrolment_id;
  std::string contact_id;
  std::string touch_id;
  int expected_step = 0;
  bool sent = false;
  int64_t sent_ms = 0;
  std::string next_touch_id;
  int64_t next_due_ms = 0;
  // The enrolment's lead, account and email (EnrolmentRecord): the keys its
  // end touches when this touch completes it.
  std::string lead_id = {};
  std::string account_key = {};
  std::string email = {};
};

}  // namespace leadflow::nurture
