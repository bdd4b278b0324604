// A service's registry view of accounts: materialised in Redis from the
// compacted accounts.changes topic, so that every service can tell a CUSTOMER
// from a PROSPECT without calling the CRM. Updates take effect on the next
// lookup, with no restart.
//
// Keys (one namespace per service, e.g. "intake"):
//   lf:{<ns>}:acct:<account_key>         serialized AccountState
//   lf:{<ns>}:acct-email:<email>         -> account_key
//   lf:{<ns>}:acct-domain:<domain>       -> account_key
//   lf:{<ns>}:acct-inn:<inn>             -> account_key
//   lf:{<ns>}:accts                      set of account keys (size)
// Thread-safe as far as the Redis client is. Apply() is idempotent, so
// redelivered changes are harmless.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/kafka/consumer_loop.h"
#include "common/redis/client.h"
#include "leadflow/accounts/v1/accounts.pb.h"

namespace leadflow::registry {

class AccountRegistry {
 public:
  AccountRegistry(redis::Client& redis, std::string ns);

  // Applies one accounts.changes record. An empty payload (a Kafka tombstone)
  // or deleted=true removes the account. A record that is neither a removal
  // nor states a relationship (e.g. another schema version) is refused with
  // kInvalidArgument (MISSING_FIELD) and leaves the registry unchanged.
  Status Apply(const std::string& account_key, const std::string& payload);

  // Finds the account of a contact: by email, then corporate domain, then INN.
  // Empty arguments are skipped.
  StatusOr<std::optional<leadflow::accounts::v1::AccountState>> Lookup(const std::string& email,
                                                                       const std::string& domain,
                                                                       const std::string& inn);
  StatusOr<std::optional<leadflow::accounts::v1::AccountState>> Get(const std::string& account_key);

  // Lookup() of many contacts at once (a consumer batch): two MGETs for the
  // whole list (the index keys, then the accounts found) instead of up to
  // two round trips each. One result per contact, in order.
  struct ContactKeys {
    std::string email;
    std::string domain;
    std::string inn;
  };
  std::vector<StatusOr<std::optional<leadflow::accounts::v1::AccountState>>> LookupMany(
      const std::vector<ContactKeys>& contacts);
  StatusOr<int64_t> Size();

  // A consumer-loop handler for accounts.changes; malformed records are dead-lettered.
  kafka::MessageHandler Handler();

 private:
  std::string Key(const std::string& kind, const std::string& id) const;

  redis::Client& redis_;
  std::string prefix_;
};

}  // namespace leadflow::registry
