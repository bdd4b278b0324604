// Everything intake erases for a privacy.erasure (docs/privacy.md): the
// contact's dedupe claims and their index (contact_index.h), then the
// contact's entries in every account's coverage (account_contact_store.h).
// Idempotent, as ErasureHandler requires; kUnavailable from either store
// makes the whole erasure run again. Both stores must outlive the eraser.
#pragma once

#include "common/privacy/erasure_handler.h"
#include "intake/app/account_contact_store.h"
#include "intake/app/contact_index.h"

namespace leadflow::intake {

class IntakeEraser final : public privacy::ContactEraser {
 public:
  IntakeEraser(RedisContactIndex& claims, RedisAccountContactStore& coverage)
      : claims_(claims), coverage_(coverage) {}
  Status Erase(const leadflow::privacy::v1::ContactErasure& erasure) override {
    if (Status s = claims_.Erase(erasure); !s.ok()) return s;
    return coverage_.EraseContact(erasure.contact_id());
  }

 private:
  RedisContactIndex& claims_;
  RedisAccountContactStore& coverage_;
};

}  // namespace leadflow::intake
