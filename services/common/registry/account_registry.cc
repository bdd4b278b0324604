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

StatusOr<std::optional<AccountState>> AccountRegistry::Get(const std::string& account_key) {
  auto r = redis_.Run({"GET", Key("acct", account_key)});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return std::optional<AccountState>();
  AccountState state;
  if (!state.ParseFromString(r->str)) return Status::Internal("registry: corrupt account record");
  return std::optional<AccountState>(std::move(state));
}

StatusOr<std::optional<AccountState>> AccountRegistry::Lookup(const std::string& email,
                                                              const std::string& domain,
                                                              const std::string& inn) {
  std::vector<redis::Command> cmds;
  if (!email.empty()) cmds.push_back({"GET", Key("acct-email", email)});
  if (!domain.empty()) cmds.push_back({"GET", Key("acct-domain", domain)});
  if (!inn.empty()) cmds.push_back({"GET", Key("acct-inn", inn)});
  if (cmds.empty()) return std::optional<AccountState>();
  auto replies = redis_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (r.type == redis::Reply::Type::kString) return Get(r.str);
  }
  return std::optional<AccountState>();
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
