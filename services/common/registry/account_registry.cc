#include "common/registry/account_registry.h"

#include "apply_account_change.lua.h"
#include "common/view/view_keys.h"

namespace leadflow::registry {

using leadflow::accounts::v1::AccountState;

namespace {

constexpr char kNotReady[] =
    "registry view not ready: rebuilding from accounts.changes, retry later";

// An account record read by GET or MGET: nil is "no such account"; an error
// reply (LOADING, an ACL refusal) is Unavailable, never "no account".
StatusOr<AccountRegistry::Account> AccountFromReply(const redis::Reply& r) {
  if (r.is_error()) return Status::Unavailable("registry read: " + r.str);
  if (r.is_nil()) return AccountRegistry::Account();
  AccountState state;
  if (!state.ParseFromString(r.str)) return Status::Internal("registry: corrupt account record");
  return AccountRegistry::Account(std::move(state));
}

// One MGET (all registry keys share the namespace's hash tag, so this is one
// slot on a Redis Cluster too); one reply per key, nil where missing. With
// `ready_key`, it is read in the same MGET (so in the same instant as the
// data) and a missing marker is kUnavailable: the view is not known complete.
StatusOr<std::vector<redis::Reply>> MultiGet(redis::Client& redis, std::vector<std::string> keys,
                                             const std::string* ready_key) {
  const size_t n = keys.size();
  redis::Command cmd;
  cmd.reserve(n + 2);
  cmd.push_back("MGET");
  for (auto& k : keys) cmd.push_back(std::move(k));
  if (ready_key != nullptr) cmd.push_back(*ready_key);
  auto reply = redis.Run(cmd);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return Status::Unavailable("registry MGET: " + reply->str);
  if (reply->type != redis::Reply::Type::kArray || reply->elements.size() != cmd.size() - 1) {
    return Status::Internal("registry MGET: unexpected reply");
  }
  if (ready_key != nullptr) {
    if (reply->elements.back().type != redis::Reply::Type::kString) {
      return Status::Unavailable(kNotReady);
    }
    reply->elements.pop_back();
  }
  return std::move(reply->elements);
}

}  // namespace

AccountRegistry::AccountRegistry(redis::Client& redis, std::string ns)
    : redis_(redis),
      prefix_("lf:{" + ns + "}:"),
      view_(redis, view::ViewKeys::For(ns, "accounts")),
      apply_(std::string(lua::kApplyAccountChange)) {}

std::string AccountRegistry::Key(const std::string& kind, const std::string& id) const {
  return prefix_ + kind + ":" + id;
}

std::vector<std::string> AccountRegistry::IndexKeys(const AccountState& a) const {
  std::vector<std::string> keys;
  for (const auto& e : a.contact_emails()) keys.push_back(Key("acct-email", e));
  for (const auto& d : a.domains()) keys.push_back(Key("acct-domain", d));
  if (!a.inn().empty()) keys.push_back(Key("acct-inn", a.inn()));
  return keys;
}

Status AccountRegistry::Apply(const std::string& epoch, const kafka::ConsumedMessage& record) {
  AccountState next;
  if (!record.payload.empty() && !next.ParseFromString(record.payload)) {
    return Status::InvalidArgument("accounts.changes: payload is not an AccountState",
                                   leadflow::common::v1::MALFORMED_PAYLOAD);
  }
  const std::string key = record.key.empty() ? next.account_key() : record.key;
  if (key.empty()) {
    return Status::InvalidArgument("accounts.changes: record has no account key",
                                   leadflow::common::v1::MISSING_FIELD);
  }
  const bool removal = record.payload.empty() || next.deleted();
  if (!removal && next.relationship() == leadflow::common::v1::RELATIONSHIP_UNSPECIFIED) {
    // E.g. a record of another schema version: never a registry entry.
    return Status::InvalidArgument("accounts.changes: record has no relationship",
                                   leadflow::common::v1::MISSING_FIELD);
  }
  std::string stored;
  std::vector<std::string> new_index;
  if (!removal) {
    next.set_account_key(key);
    stored = next.SerializeAsString();
    new_index = IndexKeys(next);
  }
  // The old record's index keys come from a read; the script applies only if
  // the record is still what was read (another replica may apply the same
  // record meanwhile: then the position check makes this one a no-op).
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto current = redis_.Run({"GET", Key("acct", key)});
    if (!current.ok()) return current.status();
    if (current->is_error()) return Status::Unavailable("registry read: " + current->str);
    std::vector<std::string> keys = {view_.keys().pos, Key("acct", key), prefix_ + "accts"};
    size_t n_old = 0;
    if (current->type == redis::Reply::Type::kString) {
      AccountState old;
      if (old.ParseFromString(current->str)) {
        for (auto& k : IndexKeys(old)) keys.push_back(std::move(k));
        n_old = keys.size() - 3;
      }
    }
    keys.insert(keys.end(), new_index.begin(), new_index.end());
    auto r = redis_.Eval(apply_, keys,
                         {epoch, view::ViewKeys::PartitionField(record.partition),
                          std::to_string(record.offset),
                          current->type == redis::Reply::Type::kString ? current->str : "",
                          std::to_string(n_old), stored, key});
    if (!r.ok()) return r.status();
    if (r->is_error()) return Status::Unavailable("registry apply refused: " + r->str);
    if (r->type != redis::Reply::Type::kInteger) return Status::Unavailable("registry apply: unexpected reply");
    if (r->integer >= 0) return Status::Ok();
    if (r->integer == -1) return Status::Aborted("registry view: Redis was reset");
    // -2: the record changed between the read and the script; read again.
  }
  return Status::Unavailable("registry apply: the account kept changing underneath");
}

StatusOr<AccountRegistry::Account> AccountRegistry::Get(const std::string& account_key) {
  auto r = MultiGet(redis_, {Key("acct", account_key)}, &view_.keys().ready);
  if (!r.ok()) return r.status();
  return AccountFromReply(r->front());
}

StatusOr<AccountRegistry::Account> AccountRegistry::Lookup(const std::string& email,
                                                           const std::string& domain,
                                                           const std::string& inn) {
  return std::move(LookupMany({ContactKeys{email, domain, inn}}).front());
}

std::vector<StatusOr<AccountRegistry::Account>> AccountRegistry::LookupMany(
    const std::vector<ContactKeys>& contacts) {
  return Find(contacts, /*require_ready=*/true);
}

std::vector<StatusOr<AccountRegistry::Account>> AccountRegistry::LookupManyAsApplied(
    const std::vector<ContactKeys>& contacts) {
  return Find(contacts, /*require_ready=*/false);
}

std::vector<StatusOr<AccountRegistry::Account>> AccountRegistry::Find(
    const std::vector<ContactKeys>& contacts, bool require_ready) {
  using Found = StatusOr<Account>;
  const std::string* ready = require_ready ? &view_.keys().ready : nullptr;
  std::vector<Found> out(contacts.size(), Found(Account()));
  if (contacts.empty()) return out;
  // 1. The index keys of every contact, by email, then domain, then INN.
  std::vector<std::string> index_keys;
  std::vector<size_t> first(contacts.size() + 1, 0);  // contact i: keys [first[i], first[i+1])
  for (size_t i = 0; i < contacts.size(); ++i) {
    first[i] = index_keys.size();
    const ContactKeys& c = contacts[i];
    if (!c.email.empty()) index_keys.push_back(Key("acct-email", c.email));
    if (!c.domain.empty()) index_keys.push_back(Key("acct-domain", c.domain));
    if (!c.inn.empty()) index_keys.push_back(Key("acct-inn", c.inn));
  }
  first[contacts.size()] = index_keys.size();
  if (index_keys.empty() && ready == nullptr) return out;
  // Even a contact with no keys to look up must not be told "no account"
  // while the view is unknown: the marker is read whatever the batch.
  auto hits = MultiGet(redis_, std::move(index_keys), ready);
  if (!hits.ok()) return std::vector<Found>(contacts.size(), Found(hits.status()));
  // 2. The account of each contact's first hit.
  std::vector<std::string> account_keys;
  std::vector<size_t> account_of;  // contact index of each account key
  for (size_t i = 0; i < contacts.size(); ++i) {
    for (size_t k = first[i]; k < first[i + 1]; ++k) {
      const redis::Reply& r = (*hits)[k];
      if (r.type != redis::Reply::Type::kString) continue;
      account_keys.push_back(Key("acct", r.str));
      account_of.push_back(i);
      break;
    }
  }
  if (account_keys.empty()) return out;
  auto accounts = MultiGet(redis_, std::move(account_keys), ready);
  for (size_t g = 0; g < account_of.size(); ++g) {
    Found& f = out[account_of[g]];
    if (!accounts.ok()) {
      f = accounts.status();
      continue;
    }
    f = AccountFromReply((*accounts)[g]);
  }
  return out;
}

StatusOr<int64_t> AccountRegistry::Size() {
  auto r = redis_.Run({"SCARD", prefix_ + "accts"});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Status::Unavailable("registry size: " + r->str);
  return r->integer;
}

}  // namespace leadflow::registry
