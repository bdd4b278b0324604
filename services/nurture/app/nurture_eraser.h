// Nurture's side of privacy.erasure (docs/privacy.md).
//
// Erase(), in this order, each step idempotent:
//  1. the contact id goes into lf:{nurture}:unsub (the tombstone: checked
//     before every enrolment and before every touch, so nothing more is sent,
//     also for a lead still in flight); the emails its enrolments hold are
//     read; every enrolment exits (its due touch leaves the schedule) -
//     Unsubscribes::Unsubscribe;
//  2. per enrolment of the contact: its hash, the stored NurtureRequested,
//     its sent-touch list, its membership in the lead and account indexes,
//     and the email lookup and email-unsubscribe entries of the email it held;
//  3. the contact's enrolment index and its send history (caps).
// Kept: the contact id in the unsub set, and the sent:<touch_id> markers
// (ids only; they keep touches exactly-once after a crash; 14-day TTL).
// Limit: an email that unsubscribed before it was ever enrolled
// (lf:{nurture}:unsub-email) is not linked to a contact id and stays.
// Failures: kUnavailable (the loop retries the whole erasure). Thread-safe as
// far as redis::Client is.
#pragma once

#include "common/privacy/erasure_handler.h"
#include "common/redis/client.h"
#include "nurture/app/nurture_store.h"

namespace leadflow::nurture {

class NurtureEraser final : public privacy::ContactEraser {
 public:
  NurtureEraser(NurtureStore& store, redis::Client& redis) : store_(store), redis_(redis) {}
  Status Erase(const leadflow::privacy::v1::ContactErasure& erasure) override;

 private:
  NurtureStore& store_;
  redis::Client& redis_;
};

}  // namespace leadflow::nurture
