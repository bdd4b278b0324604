// A service's privacy state per contact in Redis, for services whose own
// state is keyed by lead id (scoring, routing): which leads belong to a
// contact (so an erasure finds them) and whether the contact withdrew consent
// (or was erased) and when.
//
//   <leads key of contact>      set of lead ids (TTL refreshed on every add)
//   <withdrawn key of contact>  unix ms of the last consent withdrawal or
//                               erasure (the tombstone; same TTL)
//
// Key names come from the service (KeyScheme), so they stay under the
// service's namespace and hash tag; both keys of one contact must share a
// hash tag (one script touches both).
//
// Batch calls take one round trip: one script call for the whole batch when
// the scheme is one_slot, else one per item (EvalMany). An item that fails in
// the script fails alone. Failures are kUnavailable. Thread-safe as far as redis::Client is.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "common/util/status.h"

namespace leadflow::privacy {

struct KeyScheme {
  std::function<std::string(const std::string& contact_id)> leads;
  std::function<std::string(const std::string& contact_id)> withdrawn;
  // True when the keys of every contact share one hash tag (e.g. routing's
  // {routing}): a batch then runs as one script call for all its items
  // instead of one call per item (per-contact tags need one call each to
  // stay Redis Cluster safe).
  bool one_slot = false;
};

class ContactStateStore {
 public:
  struct Lead {
    std::string contact_id;
    std::string lead_id;
    int64_t first_submitted_ms = 0;
  };
  struct Withdrawal {
    std::string contact_id;
    int64_t at_ms = 0;
  };

  ContactStateStore(redis::Client& redis, KeyScheme keys, std::chrono::seconds ttl)
      : redis_(redis), keys_(std::move(keys)), ttl_(ttl) {}

  // Indexes each lead under its contact and returns the contact's withdrawal
  // time (0 = none). A lead first submitted after the withdrawal carries new
  // consent: the marker is cleared and 0 returned.
  std::vector<StatusOr<int64_t>> SeeLeads(const std::vector<Lead>& leads);
  // Records withdrawals (the later time wins); returns the stored time.
  std::vector<StatusOr<int64_t>> Withdraw(const std::vector<Withdrawal>& withdrawals);
  // The withdrawal time of each contact (0 = none).
  std::vector<StatusOr<int64_t>> WithdrawnAt(const std::vector<std::string>& contact_ids);
  // The contact's indexed lead ids.
  StatusOr<std::vector<std::string>> LeadsOf(const std::string& contact_id);
  // Erasure: drops the lead index and leaves the tombstone at `at_ms`.
  Status Tombstone(const std::string& contact_id, int64_t at_ms);

  const KeyScheme& keys() const { return keys_; }

 private:
  struct Item {
    const std::string* contact_id;
    int64_t ms;
    const std::string* lead_id;  // mode "see" only
  };
  std::vector<StatusOr<int64_t>> Run(const char* mode, const std::vector<Item>& items);
  redis::Client& redis_;
  KeyScheme keys_;
  std::chrono::seconds ttl_;
};

}  // namespace leadflow::privacy
