// Everything intake erases for a privacy.erasure (docs/privacy.md): the
// contact's dedupe claims and their index (contact_index.h), then the
// contact's entries in every account's coverage (account_contact_store.h).
//
// The coverage is a view of accounts.contacts, so the contact is first
// tombstoned there (a null value under "<account>|<contact>", one per account
// it is found in; compaction then drops its records), and only then removed
// from Redis: a rebuild after the HDEL replays the tombstone too and never
// brings the contact back. The other order would leave a window in which a
// Redis loss restores the contact with nothing to remove it again.
//
// Idempotent, as ErasureHandler requires; kUnavailable from either store or
// the producer (or a coverage view not known complete) makes the whole
// erasure run again. The stores and the producer must outlive the eraser.
#pragma once

#include <chrono>

#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "common/privacy/erasure_handler.h"
#include "intake/app/account_contact_store.h"
#include "intake/app/contact_index.h"
#include "intake/app/redis_account_contact_store.h"
#include "intake/app/redis_contact_index.h"
#include "intake/domain/account_coverage.h"

namespace leadflow::intake {

class IntakeEraser final : public privacy::ContactEraser {
 public:
  IntakeEraser(RedisContactIndex& claims, RedisAccountContactStore& coverage,
               kafka::Producer& producer,
               std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : claims_(claims), coverage_(coverage), producer_(producer), timeout_(timeout) {}
  Status Erase(const leadflow::privacy::v1::ContactErasure& erasure) override {
    if (Status s = claims_.Erase(erasure); !s.ok()) return s;
    auto accounts = coverage_.AccountsOfContact(erasure.contact_id());
    if (!accounts.ok()) return Status::Unavailable(accounts.status().message());
    for (const std::string& account : *accounts) {
      kafka::OutgoingMessage tombstone;
      tombstone.topic = topics::kAccountsContacts;
      tombstone.key = ContactSeenKey(account, erasure.contact_id());
      if (Status s = producer_.ProduceAndWait(tombstone, timeout_); !s.ok()) {
        return Status::Unavailable("coverage tombstone: " + s.message());
      }
    }
    return coverage_.EraseContact(erasure.contact_id());
  }

 private:
  RedisContactIndex& claims_;
  RedisAccountContactStore& coverage_;
  kafka::Producer& producer_;
  std::chrono::milliseconds timeout_;
};

}  // namespace leadflow::intake
