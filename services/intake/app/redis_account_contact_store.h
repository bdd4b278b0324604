// Where intake keeps the contacts seen on each account's leads, for the
// account's buying-committee coverage (docs/domain-rules.md §2, "Buying
// committees"; intake/domain/account_coverage.h computes the coverage). The
// CRM's contacts of an account are not kept here: they come with the
// registry account (AccountState.contacts).
//
// Keys (docs/state.md, "Intake"; all share the {intake} hash tag):
//   lf:{intake}:cov:<account>     hash: contact id -> buyer class digit and
//                                 decision role digit ("21"); "_t" -> the
//                                 time of the newest lead applied (unix s);
//                                 the summary of its contacts, "_s" "_n"
//                                 "_c1" "_c2" "_c3" "_dm", kept by every
//                                 script that writes a contact
//                                 (coverage_summary.lua).
//                                 TTL: the coverage window (548 days,
//                                 kCoverageWindowSeconds) from the account's
//                                 newest lead, refreshed by every lead.
//   lf:{intake}:cov-partial:<REL> sorted set of the account keys whose
//                                 newest lead had a partial coverage, per
//                                 relationship (CUSTOMER, PROSPECT), scored
//                                 by when that lead's window ends; trimmed
//                                 by PartialCounts().
//   lf:{intake}:view:coverage:pos|ready   the view's position and marker.
//
// It is a view of accounts.contacts (common/view/topic_view.h), intake's own
// record of each accepted lead's contact at its coverage's account (keyed
// "<account>|<contact>", compact,delete over the coverage window; no personal
// data): Apply() rebuilds the contacts and the partial index from it after a
// Redis loss, over the whole window (leads.accepted keeps only 7 days), and
// keeps the index as records are published. Record() writes a lead's contact
// at once, so the account's next lead sees it even before the view has
// applied the first; it reads the view's ready marker in the same script and
// refuses (kUnavailable) while the view is not known complete.
//
// Thread-safe as far as redis::Client is. No retries here: a Redis failure is
// kUnavailable.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/kafka/message.h"
#include "common/redis/client.h"
#include "common/util/status.h"
#include "common/view/view_store.h"
#include "intake/app/account_contact_store.h"
#include "intake/domain/account_coverage.h"

namespace leadflow::intake {

class RedisAccountContactStore final : public AccountContactStore {
 public:
  explicit RedisAccountContactStore(redis::Client& redis);

  // The view's bookkeeping (epoch, positions, ready marker), for TopicView.
  view::ViewStore& view_store() { return view_; }

  // One EVAL per sighting, all in one round trip (record_lead_contact.lua):
  // O(1 + CRM contacts) each, whatever the number of contacts of the account.
  std::vector<StatusOr<SeenContactsSummary>> RecordMany(
      const std::vector<Sighting>& sightings) override;

  // Applies one accounts.contacts record of the view's build `epoch`
  // (apply_contact_seen.lua) at `now_ms`: an AccountContactSeen adds its
  // contact; an empty (null) value, a tombstone, removes the contact named by
  // the key from its account. A record older than the window, or whose key
  // names no account, only moves the position. kInvalidArgument for a value
  // that is not an AccountContactSeen; kAborted when the view is no longer at
  // `epoch`; kUnavailable when Redis fails.
  Status Apply(const std::string& epoch, const kafka::ConsumedMessage& record, int64_t now_ms);

  // The accounts whose contacts hold `contact_id` (for its erasure's
  // tombstones): a SCAN of the cov: keys with one pipelined HEXISTS per batch.
  // kUnavailable while the view is not known complete (it could miss an
  // account) or when Redis fails.
  StatusOr<std::vector<std::string>> AccountsOfContact(const std::string& contact_id);

  // Removes the contact from every account's contacts (privacy erasure;
  // idempotent). A SCAN of the cov: keys, then one pipelined script run per
  // key of each batch (erase_coverage_contact.lua, which keeps the hash's
  // summary): O(accounts) per erasure, which are rare. kUnavailable when Redis fails.
  Status EraseContact(const std::string& contact_id);

  // The accounts with a partial coverage per relationship name ("CUSTOMER",
  // "PROSPECT"), after trimming the entries whose window ended by `now_ms`.
  StatusOr<std::map<std::string, int64_t>> PartialCounts(int64_t now_ms);

  static std::string Key(const std::string& account_key) {
    return "lf:{intake}:cov:" + account_key;
  }
  static std::string PartialKey(const std::string& relationship) {
    return "lf:{intake}:cov-partial:" + relationship;
  }

 private:
  Status RunApply(const std::vector<std::string>& keys, const std::vector<std::string>& args);
  // SCANs the cov: keys and calls `page` with the keys of each non-empty
  // batch, stopping at the first error (its own, or a SCAN failure as
  // kUnavailable).
  Status ForEachCoveragePage(
      const std::function<Status(const std::vector<std::string>& keys)>& page);

  redis::Client& redis_;
  view::ViewStore view_;
  redis::Script record_;
  redis::Script apply_;
  redis::Script erase_;
};

}  // namespace leadflow::intake
