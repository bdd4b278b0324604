// Dedupe claims for submissions: "the first one with this key wins".
//
// A claim is SET lf:{intake}:idem:<key> <value> NX EX <ttl> (atomic in one Lua
// script that also returns the current holder), so two concurrent identical
// submissions yield exactly one winner. Values are opaque to the store; the
// processor stores "<lead_id>|<origin>" (see IntakeProcessor). A won claim
// that names its contact is also listed in the contact index (contact_index.h)
// by the same script, so an erasure finds every claim that exists.
// Implementations are thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/util/status.h"

namespace leadflow::intake {

struct ClaimResult {
  bool claimed = false;  // true: this caller holds the key now
  std::string holder;    // the value stored under the key (ours when claimed)
};

struct ClaimRequest {
  std::string key;
  std::string value;
  int64_t ttl_seconds = 0;
  // The contact whose index lists this claim once won (stores that
  // IndexesContacts()); "" = not indexed.
  std::string contact_id = {};
};

class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;
  // Claims `key` with `value` for ttl_seconds unless someone holds it.
  // kUnavailable when the backing store cannot be reached.
  virtual StatusOr<ClaimResult> Claim(const std::string& key, const std::string& value,
                                      int64_t ttl_seconds) = 0;
  // Claim() of each request, in order (a key claimed by an earlier request is
  // held for a later one with the same key): one result per request. This
  // default calls Claim() one by one; the Redis store sends one request.
  virtual std::vector<StatusOr<ClaimResult>> ClaimMany(const std::vector<ClaimRequest>& requests);
  // Gives the key up iff it still holds `value` (after a failed publish, so
  // that the client's retry is not mistaken for a duplicate).
  virtual Status Release(const std::string& key, const std::string& value) = 0;
  // True: ClaimMany lists each won claim that names a contact in the contact
  // index in the same atomic step, so the caller does not Remember() it.
  virtual bool IndexesContacts() const { return false; }
};

}  // namespace leadflow::intake
