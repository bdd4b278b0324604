#include "scoring/app/engagement_store.h"

#include <cmath>
#include <cstdlib>

namespace leadflow::scoring {
namespace {

redis::Script& RecordScript() {
  // KEYS: events zset, lead key. ARGV: occurred_at ms, member, max events, ttl seconds.
  // Returns {added, lead id or "", ZRANGE WITHSCORES}.
  static redis::Script script(R"lua(
local added = redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
local max = tonumber(ARGV[3])
local all = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local n = #all / 2
if n > max then
  -- Keep the newest max: drop the oldest from the set and from the reply.
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max - 1)
  local kept = {}
  for i = 2 * (n - max) + 1, #all do kept[#kept + 1] = all[i] end
  all = kept
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
local lead = redis.call('GET', KEYS[2])
return {added, lead or '', all}
)lua");
  return script;
}

redis::Script& LinkScript() {
  // KEYS: events zset, lead key. ARGV: lead id, ttl seconds. Returns ZRANGE WITHSCORES.
  static redis::Script script(R"lua(
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
local events = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
if #events > 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return events
)lua");
  return script;
}

std::string Member(const EngagementRecord& e) { return e.event_id + "|" + std::to_string(e.type); }

Status Unavailable(const std::string& what) {
  return Status::Unavailable("engagement store: " + what);
}

// ZRANGE ... WITHSCORES: member, score, member, score, ...
StatusOr<std::vector<EngagementRecord>> ParseEvents(const redis::Reply& reply) {
  std::vector<EngagementRecord> out;
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() % 2 != 0) {
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

}  // namespace

std::vector<StatusOr<EngagementStore::Recorded>> EngagementStore::RecordMany(
    const std::vector<ContactEvent>& events) {
  std::vector<StatusOr<Recorded>> out;
  out.reserve(events.size());
  for (const auto& e : events) out.push_back(Record(e.contact_id, e.event));
  return out;
}

std::vector<StatusOr<std::vector<EngagementRecord>>> EngagementStore::LinkMany(
    const std::vector<Link>& links) {
  std::vector<StatusOr<std::vector<EngagementRecord>>> out;
  out.reserve(links.size());
  for (const auto& l : links) out.push_back(LinkLead(l.contact_id, l.lead_id, l.now_ms));
  return out;
}

StatusOr<EngagementStore::Recorded> RedisEngagementStore::Record(const std::string& contact_id,
                                                                 const EngagementRecord& event) {
  return std::move(RecordMany({ContactEvent{contact_id, event}}).front());
}

std::vector<StatusOr<EngagementStore::Recorded>> RedisEngagementStore::RecordMany(
    const std::vector<ContactEvent>& events) {
  std::vector<StatusOr<Recorded>> out;
  if (events.empty()) return out;
  std::vector<redis::ScriptCall> calls;
  calls.reserve(events.size());
  const std::string max_events = std::to_string(options_.max_events);
  const std::string ttl = std::to_string(options_.ttl.count());
  for (const auto& e : events) {
    calls.push_back({{EventsKey(e.contact_id), LeadKey(e.contact_id)},
                     {std::to_string(e.event.occurred_at_ms), Member(e.event), max_events, ttl}});
  }
  auto replies = redis_.EvalMany(RecordScript(), calls);
  out.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (!replies.ok()) {
      out.push_back(Unavailable(replies.status().message()));
      continue;
    }
    const redis::Reply& reply = (*replies)[i];
    if (reply.is_error()) {
      out.push_back(Unavailable(reply.str));
      continue;
    }
    if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != 3) {
      out.push_back(Status::Internal("engagement store: unexpected reply"));
      continue;
    }
    Recorded r;
    r.added = reply.elements[0].integer == 1;
    ParseLink(reply.elements[1].str, &r);
    auto parsed = ParseEvents(reply.elements[2]);
    if (!parsed.ok()) {
      out.push_back(parsed.status());
      continue;
    }
    r.events = std::move(*parsed);
    out.push_back(std::move(r));
  }
  return out;
}

StatusOr<std::vector<EngagementRecord>> RedisEngagementStore::LinkLead(
    const std::string& contact_id, const std::string& lead_id, int64_t now_ms) {
  return std::move(LinkMany({Link{contact_id, lead_id, now_ms}}).front());
}

std::vector<StatusOr<std::vector<EngagementRecord>>> RedisEngagementStore::LinkMany(
    const std::vector<Link>& links) {
  std::vector<StatusOr<std::vector<EngagementRecord>>> out;
  if (links.empty()) return out;
  std::vector<redis::ScriptCall> calls;
  calls.reserve(links.size());
  const std::string ttl = std::to_string(options_.ttl.count());
  for (const auto& l : links) {
    calls.push_back({{EventsKey(l.contact_id), LeadKey(l.contact_id)},
                     {l.lead_id + "|" + std::to_string(l.now_ms), ttl}});
  }
  auto replies = redis_.EvalMany(LinkScript(), calls);
  out.reserve(links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    if (!replies.ok()) {
      out.push_back(Unavailable(replies.status().message()));
    } else if ((*replies)[i].is_error()) {
      out.push_back(Unavailable((*replies)[i].str));
    } else {
      out.push_back(ParseEvents((*replies)[i]));
    }
  }
  return out;
}

StatusOr<std::vector<EngagementRecord>> RedisEngagementStore::Events(
    const std::string& contact_id) {
  auto reply = redis_.Run({"ZRANGE", EventsKey(contact_id), "0", "-1", "WITHSCORES"});
  if (!reply.ok()) return Unavailable(reply.status().message());
  if (reply->is_error()) return Unavailable(reply->str);
  return ParseEvents(*reply);
}

StatusOr<EngagementStore::Recorded> InMemoryEngagementStore::Record(const std::string& contact_id,
                                                                    const EngagementRecord& event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory engagement store down");
  auto& events = events_[contact_id];
  Recorded r;
  r.added = events.emplace(event.event_id, event).second;
  if (auto it = leads_.find(contact_id); it != leads_.end()) {
    r.lead_id = it->second.first;
    r.linked_at_ms = it->second.second;
  }
  for (const auto& [id, e] : events) r.events.push_back(e);
  return r;
}

StatusOr<std::vector<EngagementRecord>> InMemoryEngagementStore::LinkLead(
    const std::string& contact_id, const std::string& lead_id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory engagement store down");
  leads_[contact_id] = {lead_id, now_ms};
  std::vector<EngagementRecord> out;
  for (const auto& [id, e] : events_[contact_id]) out.push_back(e);
  return out;
}

StatusOr<std::vector<EngagementRecord>> InMemoryEngagementStore::Events(
    const std::string& contact_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory engagement store down");
  std::vector<EngagementRecord> out;
  if (auto it = events_.find(contact_id); it != events_.end()) {
    for (const auto& [id, e] : it->second) out.push_back(e);
  }
  return out;
}

}  // namespace leadflow::scoring
