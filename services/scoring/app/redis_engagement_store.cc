#include "scoring/app/redis_engagement_store.h"

#include <cmath>
#include <cstdlib>
#include <utility>

#include "common/redis/reply.h"
#include "link_contact_lead.lua.h"
#include "record_engagement.lua.h"

namespace leadflow::scoring {
namespace {

std::string Member(const EngagementRecord& e) { return e.event_id + "|" + std::to_string(e.type); }

Status Unavailable(const std::string& what) {
  return Status::Unavailable("engagement store: " + what);
}

// ZRANGE ... WITHSCORES: member, score, member, score, ...
StatusOr<std::vector<EngagementRecord>> ParseEvents(const redis::Reply& reply) {
  std::vector<EngagementRecord> out;
  if (Status s = redis::ExpectArray(reply, "engagement store ZRANGE"); !s.ok()) return s;
  if (reply.elements.size() % 2 != 0) {
    return Status::Internal("engagement store: unexpected reply");
  }
  out.reserve(reply.elements.size() / 2);
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const std::string& member = reply.elements[i].str;
    const auto bar = member.rfind('|');
    if (bar == std::string::npos) return Status::Internal("engagement store: corrupt member");
    EngagementRecord e;
    e.event_id = member.substr(0, bar);
    try {
      e.type = std::stoi(member.substr(bar + 1));
      e.occurred_at_ms = std::llround(std::stod(reply.elements[i + 1].str));
    } catch (const std::exception&) {
      return Status::Internal("engagement store: corrupt member");
    }
    out.push_back(std::move(e));
  }
  return out;
}

void ParseLink(const std::string& value, EngagementStore::Recorded* r) {
  const auto bar = value.rfind('|');
  if (bar == std::string::npos) {
    r->lead_id = value;
    return;
  }
  r->lead_id = value.substr(0, bar);
  r->linked_at_ms = std::strtoll(value.c_str() + bar + 1, nullptr, 10);
}

// The record script's reply: {added, the lead link or '', the events}.
StatusOr<EngagementStore::Recorded> RecordedFromReply(const redis::Reply& reply) {
  if (Status s = redis::ExpectArray(reply, 3, "engagement store record"); !s.ok()) return s;
  EngagementStore::Recorded r;
  r.added = reply.elements[0].integer == 1;
  ParseLink(reply.elements[1].str, &r);
  auto parsed = ParseEvents(reply.elements[2]);
  if (!parsed.ok()) return parsed.status();
  r.events = std::move(*parsed);
  return r;
}

// Runs `script` once per call in one round trip and reads each reply with
// `read`; a failed round trip fails every call.
template <class Read>
auto EvalEach(redis::Client& redis, redis::Script& script,
              const std::vector<redis::ScriptCall>& calls, Read read) {
  using Result = decltype(read(std::declval<const redis::Reply&>()));
  std::vector<Result> out;
  if (calls.empty()) return out;
  auto replies = redis.EvalMany(script, calls);
  out.reserve(calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    out.push_back(replies.ok() ? read((*replies)[i])
                               : Result(Unavailable(replies.status().message())));
  }
  return out;
}

}  // namespace

RedisEngagementStore::RedisEngagementStore(redis::Client& redis, EngagementStoreOptions options)
    : redis_(redis),
      options_(options),
      record_(std::string(lua::kRecordEngagement)),
      link_(std::string(lua::kLinkContactLead)) {}

StatusOr<EngagementStore::Recorded> RedisEngagementStore::Record(const std::string& contact_id,
                                                                 const EngagementRecord& event) {
  return std::move(RecordMany({ContactEvent{contact_id, event}}).front());
}

std::vector<StatusOr<EngagementStore::Recorded>> RedisEngagementStore::RecordMany(
    const std::vector<ContactEvent>& events) {
  std::vector<redis::ScriptCall> calls;
  calls.reserve(events.size());
  const std::string max_events = std::to_string(options_.max_events);
  const std::string ttl = std::to_string(options_.ttl.count());
  for (const auto& e : events) {
    calls.push_back({{EventsKey(e.contact_id), LeadKey(e.contact_id)},
                     {std::to_string(e.event.occurred_at_ms), Member(e.event), max_events, ttl}});
  }
  return EvalEach(redis_, record_, calls, RecordedFromReply);
}

StatusOr<std::vector<EngagementRecord>> RedisEngagementStore::LinkLead(
    const std::string& contact_id, const std::string& lead_id, int64_t now_ms) {
  return std::move(LinkMany({Link{contact_id, lead_id, now_ms}}).front());
}

std::vector<StatusOr<std::vector<EngagementRecord>>> RedisEngagementStore::LinkMany(
    const std::vector<Link>& links) {
  std::vector<redis::ScriptCall> calls;
  calls.reserve(links.size());
  const std::string ttl = std::to_string(options_.ttl.count());
  for (const auto& l : links) {
    calls.push_back({{EventsKey(l.contact_id), LeadKey(l.contact_id)},
                     {l.lead_id + "|" + std::to_string(l.now_ms), ttl}});
  }
  return EvalEach(redis_, link_, calls, ParseEvents);
}

StatusOr<std::vector<EngagementRecord>> RedisEngagementStore::Events(
    const std::string& contact_id) {
  auto reply = redis_.Run({"ZRANGE", EventsKey(contact_id), "0", "-1", "WITHSCORES"});
  if (!reply.ok()) return Unavailable(reply.status().message());
  return ParseEvents(*reply);
}

}  // namespace leadflow::scoring
