#include "intake/app/redis_account_contact_store.h"

#include <google/protobuf/util/time_util.h>

#include "apply_contact_seen.lua.h"
#include "common/redis/reply.h"
#include "common/view/view_keys.h"
#include "erase_coverage_contact.lua.h"
#include "leadflow/intake/v1/intake.pb.h"
#include "record_lead_contact.lua.h"

namespace leadflow::intake {
namespace {

constexpr char kNotReady[] =
    "coverage view not ready: rebuilding from accounts.contacts, retry later";
constexpr const char* kRelationships[] = {"CUSTOMER", "PROSPECT"};

// The CRM contact ids a record asks for: those that can be a contact's field
// (the others were never seen on leads).
std::vector<std::string> AskedCrmIds(const std::vector<std::string>& crm_contact_ids) {
  std::vector<std::string> out;
  for (const std::string& id : crm_contact_ids) {
    if (IsStoredContactId(id)) out.push_back(id);
  }
  return out;
}

// record_lead_contact.lua's reply: five counts, then the value of each of
// `asked` seen on leads, or nil.
StatusOr<SeenContactsSummary> SummaryFromReply(const redis::Reply& r,
                                               const std::vector<std::string>& asked) {
  if (r.type == redis::Reply::Type::kInteger) return Status::Unavailable(kNotReady);  // the 0
  if (Status s = redis::ExpectArray(r, 5 + asked.size(), "coverage record"); !s.ok()) return s;
  int64_t counts[5];
  for (size_t i = 0; i < 5; ++i) {
    auto n = redis::ExpectInteger(r.elements[i], "coverage record count");
    if (!n.ok()) return n.status();
    counts[i] = *n;
  }
  SeenContactsSummary out;
  out.contacts = counts[0];
  out.per_class[1] = counts[1];
  out.per_class[2] = counts[2];
  out.per_class[3] = counts[3];
  out.decision_makers = counts[4];
  for (size_t i = 0; i < asked.size(); ++i) {
    const redis::Reply& value = r.elements[5 + i];
    if (value.type != redis::Reply::Type::kString) continue;  // nil: not seen on leads
    KnownContact c;
    c.contact_id = asked[i];
    if (DecodeContactValue(value.str, &c)) out.crm_seen.push_back(std::move(c));
  }
  return out;
}

}  // namespace

RedisAccountContactStore::RedisAccountContactStore(redis::Client& redis)
    : redis_(redis),
      view_(redis, view::ViewKeys::For("intake", "coverage")),
      record_(std::string(lua::kRecordLeadContact)),
      apply_(std::string(lua::kApplyContactSeen)),
      erase_(std::string(lua::kEraseCoverageContact)) {}

std::vector<StatusOr<SeenContactsSummary>> RedisAccountContactStore::RecordMany(
    const std::vector<Sighting>& sightings) {
  using Result = StatusOr<SeenContactsSummary>;
  std::vector<Result> out;
  if (sightings.empty()) return out;
  std::vector<redis::ScriptCall> calls;
  std::vector<std::vector<std::string>> asked;
  calls.reserve(sightings.size());
  asked.reserve(sightings.size());
  for (const Sighting& s : sightings) {
    asked.push_back(AskedCrmIds(s.crm_contact_ids));
    redis::ScriptCall call{{view_.keys().ready, Key(s.account_key)},
                           {s.contact.contact_id, EncodeContactValue(s.contact),
                            std::to_string(kCoverageWindowSeconds)}};
    call.args.insert(call.args.end(), asked.back().begin(), asked.back().end());
    calls.push_back(std::move(call));
  }
  auto replies = redis_.EvalMany(record_, calls);
  if (!replies.ok()) {
    return std::vector<Result>(
        sightings.size(),
        Result(Status::Unavailable("coverage record: " + replies.status().message())));
  }
  if (replies->size() != sightings.size()) {
    return std::vector<Result>(sightings.size(),
                               Result(Status::Internal("coverage record: reply count")));
  }
  out.reserve(sightings.size());
  for (size_t i = 0; i < replies->size(); ++i) {
    out.push_back(SummaryFromReply((*replies)[i], asked[i]));
  }
  return out;
}

Status RedisAccountContactStore::Apply(const std::string& epoch,
                                       const kafka::ConsumedMessage& record, int64_t now_ms) {
  std::vector<std::string> keys = {view_.keys().pos};
  std::vector<std::string> args = {epoch, view::ViewKeys::PartitionField(record.partition),
                                   std::to_string(record.offset)};
  std::string account_key;
  std::string contact_id;
  if (record.payload.empty()) {
    // A tombstone: the contact was erased at this account (docs/privacy.md).
    if (SplitContactSeenKey(record.key, &account_key, &contact_id)) {
      keys.push_back(Key(account_key));
      args.push_back(contact_id);
    }
    return RunApply(keys, args);
  }
  leadflow::intake::v1::AccountContactSeen seen;
  if (!seen.ParseFromString(record.payload)) {
    return Status::InvalidArgument("accounts.contacts: payload is not an AccountContactSeen",
                                   leadflow::common::v1::MALFORMED_PAYLOAD);
  }
  const int64_t seen_ms =
      seen.has_seen_at() ? google::protobuf::util::TimeUtil::TimestampToMilliseconds(seen.seen_at())
                         : (record.timestamp_ms > 0 ? record.timestamp_ms : now_ms);
  const int64_t at_s = seen_ms / 1000;
  const int64_t ends_s = at_s + kCoverageWindowSeconds;
  const int64_t ttl_s = ends_s - now_ms / 1000;
  KnownContact contact;
  contact.contact_id = seen.contact_id();
  contact.buyer_class = seen.buyer_class();
  contact.decision_role = seen.decision_role();
  if (!seen.account_key().empty() && !contact.contact_id.empty() && ttl_s > 0) {
    const bool customer = seen.relationship() == leadflow::common::v1::CUSTOMER;
    keys.push_back(Key(seen.account_key()));
    keys.push_back(PartialKey(customer ? "CUSTOMER" : "PROSPECT"));
    keys.push_back(PartialKey(customer ? "PROSPECT" : "CUSTOMER"));
    args.insert(args.end(), {contact.contact_id, EncodeContactValue(contact), std::to_string(at_s),
                             std::to_string(ttl_s), std::to_string(ends_s),
                             seen.coverage_complete() ? "0" : "1", seen.account_key()});
  }
  return RunApply(keys, args);
}

Status RedisAccountContactStore::RunApply(const std::vector<std::string>& keys,
                                          const std::vector<std::string>& args) {
  auto r = redis_.Eval(apply_, keys, args);
  if (!r.ok()) return r.status();
  auto applied = redis::ExpectInteger(*r, "coverage apply");
  if (!applied.ok()) return applied.status();
  if (*applied == -1) return Status::Aborted("coverage view: Redis was reset");
  return Status::Ok();
}

StatusOr<std::vector<std::string>> RedisAccountContactStore::AccountsOfContact(
    const std::string& contact_id) {
  // Only a complete view knows every account: else the erasure is retried.
  auto ready = redis_.Run({"GET", view_.keys().ready});
  if (!ready.ok()) return ready.status();
  auto marker = redis::ExpectStringOrNil(*ready, "coverage erase GET");
  if (!marker.ok()) return marker.status();
  if (!marker->has_value()) return Status::Unavailable(kNotReady);
  const std::string prefix = Key("");
  std::vector<std::string> accounts;
  Status s = ForEachCoveragePage([&](const std::vector<std::string>& keys) {
    std::vector<redis::Command> hexists;
    for (const auto& key : keys) hexists.push_back({"HEXISTS", key, contact_id});
    auto found = redis_.Pipeline(hexists);
    if (!found.ok()) return found.status();
    for (size_t i = 0; i < found->size(); ++i) {
      auto exists = redis::ExpectInteger((*found)[i], "coverage erase HEXISTS");
      if (!exists.ok()) return exists.status();
      if (*exists == 1) accounts.push_back(keys[i].substr(prefix.size()));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return accounts;
}

Status RedisAccountContactStore::EraseContact(const std::string& contact_id) {
  return ForEachCoveragePage([&](const std::vector<std::string>& keys) {
    std::vector<redis::ScriptCall> erase;
    for (const auto& key : keys) erase.push_back({{key}, {contact_id}});
    auto done = redis_.EvalMany(erase_, erase);
    if (!done.ok()) return done.status();
    for (const auto& d : *done) {
      if (Status s = redis::ExpectOk(d, "coverage erase"); !s.ok()) return s;
    }
    return Status::Ok();
  });
}

Status RedisAccountContactStore::ForEachCoveragePage(
    const std::function<Status(const std::vector<std::string>& keys)>& page) {
  std::string cursor = "0";
  do {
    auto r = redis_.Run({"SCAN", cursor, "MATCH", Key("*"), "COUNT", "1000"});
    if (!r.ok()) return r.status();
    if (Status s = redis::ExpectArray(*r, 2, "coverage erase SCAN"); !s.ok()) return s;
    cursor = r->elements[0].str;
    std::vector<std::string> keys;
    for (const auto& key : r->elements[1].elements) keys.push_back(key.str);
    if (keys.empty()) continue;
    if (Status s = page(keys); !s.ok()) return s;
  } while (cursor != "0");
  return Status::Ok();
}

StatusOr<std::map<std::string, int64_t>> RedisAccountContactStore::PartialCounts(int64_t now_ms) {
  std::vector<redis::Command> commands;
  const std::string now_s = std::to_string(now_ms / 1000);
  for (const char* rel : kRelationships) {
    commands.push_back({"ZREMRANGEBYSCORE", PartialKey(rel), "-inf", now_s});
    commands.push_back({"ZCARD", PartialKey(rel)});
  }
  auto r = redis_.Pipeline(commands);
  if (!r.ok()) return r.status();
  std::map<std::string, int64_t> out;
  for (size_t i = 0; i < std::size(kRelationships); ++i) {
    if (Status s = redis::ExpectOk((*r)[2 * i], "coverage partial trim"); !s.ok()) return s;
    auto card = redis::ExpectInteger((*r)[2 * i + 1], "coverage partial count");
    if (!card.ok()) return card.status();
    out[kRelationships[i]] = *card;
  }
  return out;
}

}  // namespace leadflow::intake
