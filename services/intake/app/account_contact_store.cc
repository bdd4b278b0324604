#include "intake/app/account_contact_store.h"

#include "apply_lead_contact.lua.h"
#include "common/view/view_keys.h"
#include "leadflow/intake/v1/intake.pb.h"
#include "record_lead_contact.lua.h"

namespace leadflow::intake {
namespace {

constexpr char kNotReady[] = "coverage view not ready: rebuilding from leads.accepted, retry later";
constexpr const char* kRelationships[] = {"CUSTOMER", "PROSPECT"};

StatusOr<std::vector<KnownContact>> ContactsFromReply(const redis::Reply& r) {
  if (r.is_error()) return Status::Unavailable("coverage record refused: " + r.str);
  if (r.type == redis::Reply::Type::kInteger) return Status::Unavailable(kNotReady);
  if (r.type != redis::Reply::Type::kArray || r.elements.size() % 2 != 0) {
    return Status::Internal("coverage record: unexpected reply");
  }
  std::vector<KnownContact> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    const std::string& field = r.elements[i].str;
    if (field.empty() || field[0] == '_') continue;  // bookkeeping
    KnownContact c;
    c.contact_id = field;
    if (DecodeContactValue(r.elements[i + 1].str, &c)) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

RedisAccountContactStore::RedisAccountContactStore(redis::Client& redis)
    : redis_(redis),
      view_(redis, view::ViewKeys::For("intake", "coverage")),
      record_(std::string(lua::kRecordLeadContact)),
      apply_(std::string(lua::kApplyLeadContact)) {}

std::vector<StatusOr<std::vector<KnownContact>>> RedisAccountContactStore::RecordMany(
    const std::vector<Sighting>& sightings) {
  using Result = StatusOr<std::vector<KnownContact>>;
  std::vector<Result> out;
  if (sightings.empty()) return out;
  std::vector<redis::ScriptCall> calls;
  calls.reserve(sightings.size());
  for (const Sighting& s : sightings) {
    calls.push_back({{view_.keys().ready, Key(s.account_key)},
                     {s.contact.contact_id, EncodeContactValue(s.contact),
                      std::to_string(kCoverageWindowSeconds)}});
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
  for (const auto& r : *replies) out.push_back(ContactsFromReply(r));
  return out;
}

Status RedisAccountContactStore::Apply(const std::string& epoch,
                                       const kafka::ConsumedMessage& record, int64_t now_ms) {
  leadflow::intake::v1::LeadAccepted lead;
  if (!lead.ParseFromString(record.payload)) {
    return Status::InvalidArgument("leads.accepted: payload is not a LeadAccepted",
                                   leadflow::common::v1::MALFORMED_PAYLOAD);
  }
  std::vector<std::string> keys = {view_.keys().pos};
  std::vector<std::string> args = {epoch, view::ViewKeys::PartitionField(record.partition),
                                   std::to_string(record.offset)};
  const auto& coverage = lead.company().coverage();
  const int64_t at_s = (record.timestamp_ms > 0 ? record.timestamp_ms : now_ms) / 1000;
  const int64_t ends_s = at_s + kCoverageWindowSeconds;
  const int64_t ttl_s = ends_s - now_ms / 1000;
  const KnownContact contact = ContactOfLead(lead);
  if (coverage.known() && !coverage.account_key().empty() && !contact.contact_id.empty() &&
      ttl_s > 0) {
    const bool customer = lead.meta().relationship() == leadflow::common::v1::CUSTOMER;
    keys.push_back(Key(coverage.account_key()));
    keys.push_back(PartialKey(customer ? "CUSTOMER" : "PROSPECT"));
    keys.push_back(PartialKey(customer ? "PROSPECT" : "CUSTOMER"));
    args.insert(args.end(), {contact.contact_id, EncodeContactValue(contact), std::to_string(at_s),
                             std::to_string(ttl_s), std::to_string(ends_s),
                             coverage.complete() ? "0" : "1", coverage.account_key()});
  }
  auto r = redis_.Eval(apply_, keys, args);
  if (!r.ok()) return r.status();
  if (r->is_error()) return Status::Unavailable("coverage apply refused: " + r->str);
  if (r->type != redis::Reply::Type::kInteger) {
    return Status::Unavailable("coverage apply: unexpected reply");
  }
  if (r->integer == -1) return Status::Aborted("coverage view: Redis was reset");
  return Status::Ok();
}

Status RedisAccountContactStore::EraseContact(const std::string& contact_id) {
  std::string cursor = "0";
  do {
    auto r = redis_.Run({"SCAN", cursor, "MATCH", Key("*"), "COUNT", "1000"});
    if (!r.ok()) return r.status();
    if (r->is_error()) return Status::Unavailable("coverage erase: " + r->str);
    if (r->type != redis::Reply::Type::kArray || r->elements.size() != 2) {
      return Status::Unavailable("coverage erase: unexpected SCAN reply");
    }
    cursor = r->elements[0].str;
    std::vector<redis::Command> hdel;
    for (const auto& key : r->elements[1].elements) hdel.push_back({"HDEL", key.str, contact_id});
    if (hdel.empty()) continue;
    auto done = redis_.Pipeline(hdel);
    if (!done.ok()) return done.status();
    for (const auto& d : *done) {
      if (d.is_error()) return Status::Unavailable("coverage erase: " + d.str);
    }
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
    const redis::Reply& card = (*r)[2 * i + 1];
    if ((*r)[2 * i].is_error() || card.is_error()) {
      return Status::Unavailable("coverage partial count refused");
    }
    out[kRelationships[i]] = card.integer;
  }
  return out;
}

}  // namespace leadflow::intake
