#include "common/registry/account_registry.h"

namespace leadflow::registry {

using leadflow::accounts::v1::AccountState;

AccountRegistry::AccountRegistry(redis::Client& redis, std::string ns)
    : redis_(redis), prefix_("lf:{" + ns + "}:") {}

std::string AccountRegistry::Key(const std::string& kind, const std::string& id) const {
  return prefix_ + kind + ":" + id;
}

Status AccountRegistry::Apply(const std::string& account_key, const std::string& payload) {
  AccountState next;
  if (!payload.empty() && !next.ParseFromString(payload)) {
    return Status::InvalidArgument("accounts.changes: payload is not an AccountState",
                                   leadflow::common::v1::MALFORMED_PAYLOAD);
  }
  std::string key = account_key.empty() ? next.account_key() : account_key;
  if (key.empty()) {
    return Status::InvalidArgument("accounts.changes: record has no account key",
                                   leadflow::common::v1::MISSING_FIELD);
  }
  const bool removal = payload.empty() || next.deleted();
  if (!removal && next.relationship() == leadflow::common::v1::RELATIONSHIP_UNSPECIFIED) {
    // E.g. a record of another schema version: never a registry entry.
    return Status::InvalidArgument("accounts.changes: record has no relationship",
                                   leadflow::common::v1::MISSING_FIELD);
  }
  auto old = Get(key);
  if (!old.ok()) return old.status();

  std::vector<redis::Command> cmds;
  if (old->has_value()) {
    const AccountState& o = **old;
    for (const auto& e : o.contact_emails()) cmds.push_back({"DEL", Key("acct-email", e)});
    for (const auto& d : o.domains()) cmds.push_back({"DEL", Key("acct-domain", d)});
    if (!o.inn().empty()) cmds.push_back({"DEL", Key("acct-inn", o.inn())});
  }
  if (removal) {
    cmds.push_back({"DEL", Key("acct", key)});
    cmds.push_back({"SREM", prefix_ + "accts", key});
  } else {
    next.set_account_key(key);
    cmds.push_back({"SET", Key("acct", key), next.SerializeAsString()});
    cmds.push_back({"SADD", prefix_ + "accts", key});
    for (const auto& e : next.contact_emails()) cmds.push_back({"SET", Key("acct-email", e), key});
    for (const auto& d : next.domains()) cmds.push_back({"SET", Key("acct-domain", d), key});
    if (!next.inn().empty()) cmds.push_back({"SET", Key("acct-inn", next.inn()), key});
  }
  auto r = redis_.Pipeline(cmds);
  return r.ok() ? Status::Ok() : r.status();
}

namespace {

// An account record read by GET or MGET: nil is "no such account"; an error
// reply (LOADING, an ACL refusal) is Unavailable, never "no account".
StatusOr<std::optional<AccountState>> AccountFromReply(const redis::Reply& r) {
  if (r.is_error()) return Status::Unavailable("registry read: " + r.str);
  if (r.is_nil()) return std::optional<AccountState>();
  AccountState state;
  if (!state.ParseFromString(r.str)) return Status::Internal("registry: corrupt account record");
  return std::optional<AccountState>(std::move(state));
}

// One MGET (all registry keys share the namespace's hash tag, so this is
// one slot on a Redis Cluster too); one reply per key, nil where missing.
StatusOr<std::vector<redis::Reply>> MultiGet(redis::Client& redis, std::vector<std::string> keys) {
  const size_t n = keys.size();
  redis::Command cmd;
  cmd.reserve(n + 1);
  cmd.push_back("MGET");
  for (auto& k : keys) cmd.push_back(std::move(k));
  auto reply = redis.Run(cmd);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return Status::Unavailable("registry MGET: " + reply->str);
  if (reply->type != redis::Reply::Type::kArray || reply->elements.size() != n) {
    return Status::Internal("registry MGET: unexpected reply");
  }
  return std::move(reply->elements);
}

}  // namespace

StatusOr<std::optional<AccountState>> AccountRegistry::Get(const std::string& account_key) {
  auto r = redis_.Run({"GET", Key("acct", account_key)});
  if (!r.ok()) return r.status();
  return AccountFromReply(*r);
}

StatusOr<std::optional<AccountState>> AccountRegistry::Lookup(const std::string& email,
                                                              const std::string& domain,
                                                              const std::string& inn) {
  return std::move(LookupMany({ContactKeys{email, domain, inn}}).front());
}

std::vector<StatusOr<std::optional<AccountState>>> AccountRegistry::LookupMany(
    const std::vector<ContactKeys>& contacts) {
  using Found = StatusOr<std::optional<AccountState>>;
  std::vector<Found> out(contacts.size(), Found(std::optional<AccountState>()));
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
  if (index_keys.empty()) return out;
  auto hits = MultiGet(redis_, std::move(index_keys));
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
  auto accounts = MultiGet(redis_, std::move(account_keys));
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
  return r->integer;
}

kafka::MessageHandler AccountRegistry::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>&) {
    return Apply(m.key, m.payload);
  };
}

}  // namespace leadflow::registry
