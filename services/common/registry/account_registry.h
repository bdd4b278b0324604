// A service's registry view of accounts: materialised in Redis from the
// compacted accounts.changes topic, so that every service can tell a CUSTOMER
// from a PROSPECT without calling the CRM. Updates take effect on the next
// lookup, with no restart.
//
// The view is built and kept by a view::TopicView (common/view/topic_view.h),
// which calls Apply() for each record in topic order. Apply() moves the
// view's position in the same script as the data, so the view survives
// restarts and redeliveries, and is rebuilt from the topic when Redis loses
// it. Lookups read the view's ready marker in the same atomic MGET as the
// data: while the view is not known to be complete (never built, or Redis was
// emptied or reset and the rebuild has not caught up) they return
// kUnavailable — a miss is never taken as "no account", i.e. PROSPECT.
//
// Keys (one namespace per service, e.g. "intake"; all share its hash tag):
//   lf:{<ns>}:acct:<account_key>         serialized AccountState
//   lf:{<ns>}:acct-email:<email>         -> account_key
//   lf:{<ns>}:acct-domain:<domain>       -> account_key
//   lf:{<ns>}:acct-inn:<inn>             -> account_key
//   lf:{<ns>}:accts                      set of account keys (size)
//   lf:{<ns>}:view:accounts:pos|ready    the view's position and ready marker
// Lifecycle: an account's keys live until the CRM removes it (a tombstone or
// deleted=true on accounts.changes); nothing here is per lead.
// Thread-safe as far as the Redis client is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/kafka/message.h"
#include "common/redis/client.h"
#include "common/view/view_store.h"
#include "leadflow/accounts/v1/accounts.pb.h"

namespace leadflow::registry {

class AccountRegistry {
 public:
  AccountRegistry(redis::Client& redis, std::string ns);

  // The view's bookkeeping (epoch, positions, ready marker), for TopicView.
  view::ViewStore& view_store() { return view_; }

  // Applies one accounts.changes record of the view's build `epoch`. An empty
  // payload (a Kafka tombstone) or deleted=true removes the account. A record
  // that is neither a removal nor states a relationship (e.g. another schema
  // version) is refused with kInvalidArgument (MISSING_FIELD) and leaves the
  // registry unchanged. Ok when applied or already applied; kAborted when the
  // view is no longer at `epoch`; kUnavailable when Redis fails or refuses.
  Status Apply(const std::string& epoch, const kafka::ConsumedMessage& record);

  using Account = std::optional<leadflow::accounts::v1::AccountState>;

  // Finds the account of a contact: by email, then corporate domain, then INN.
  // Empty arguments are skipped. kUnavailable while the view is not ready.
  StatusOr<Account> Lookup(const std::string& email, const std::string& domain,
                           const std::string& inn);
  // One account by its key. kUnavailable while the view is not ready.
  StatusOr<Account> Get(const std::string& account_key);

  // Lookup() of many contacts at once (a consumer batch): two MGETs for the
  // whole list (the index keys, then the accounts found) instead of up to
  // two round trips each. One result per contact, in order.
  struct ContactKeys {
    std::string email;
    std::string domain;
    std::string inn;
  };
  std::vector<StatusOr<Account>> LookupMany(const std::vector<ContactKeys>& contacts);
  // LookupMany() of the view as applied so far, ready or not: only for code
  // that runs inside the view's own updates (a change hook), in topic order.
  std::vector<StatusOr<Account>> LookupManyAsApplied(const std::vector<ContactKeys>& contacts);

  // Accounts in the view.
  StatusOr<int64_t> Size();

 private:
  std::string Key(const std::string& kind, const std::string& id) const;
  std::vector<std::string> IndexKeys(const leadflow::accounts::v1::AccountState& a) const;
  std::vector<StatusOr<Account>> Find(const std::vector<ContactKeys>& contacts, bool require_ready);

  redis::Client& redis_;
  std::string prefix_;
  view::ViewStore view_;
  redis::Script apply_;
};

}  // namespace leadflow::registry
