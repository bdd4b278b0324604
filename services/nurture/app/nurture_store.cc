#include "nurture/app/nurture_store.h"

namespace leadflow::nurture {
namespace {

namespace nv1 = leadflow::nurture::v1;
const std::string kP = "lf:{nurture}:";

redis::Script& EnrolScript() {
  // KEYS: enrol, req, contact idx, lead idx, account idx, email idx, due
  // ARGV: req bytes, contact, lead, track, audience, account, trace, enrolled_ms,
  //       first touch id, first due ms, enrolment id, email
  static redis::Script s(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'contact_id', ARGV[2], 'lead_id', ARGV[3], 'track_id', ARGV[4],
  'audience', ARGV[5], 'account_key', ARGV[6], 'trace_id', ARGV[7], 'enrolled_ms', ARGV[8],
  'next_step', '0', 'next_due_ms', ARGV[10], 'state', 'ACTIVE_ENROLMENT', 'exit_reason', '')
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[11])
redis.call('SADD', KEYS[4], ARGV[11])
redis.call('SADD', KEYS[5], ARGV[11])
if ARGV[12] ~= '' then redis.call('SET', KEYS[6], ARGV[2]) end
redis.call('ZADD', KEYS[7], ARGV[10], ARGV[9])
return 1
)lua");
  return s;
}

redis::Script& ClaimScript() {
  // KEYS: due, inflight; ARGV: touch id, now ms
  static redis::Script s(R"lua(
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], score)
return 1
)lua");
  return s;
}

redis::Script& FinishScript() {
  // KEYS: enrol, due, sent-list, inflight, sent marker, contact sends
  // ARGV: expected step, touch id, sent (0/1), sent ms, next touch, next due ms, week ms
  static redis::Script s(R"lua(
if ARGV[3] == '1' then
  redis.call('SET', KEYS[5], '1', 'EX', 31536000)
  redis.call('ZADD', KEYS[6], ARGV[4], ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', tonumber(ARGV[4]) - tonumber(ARGV[7]))
  redis.call('EXPIRE', KEYS[6], 1209600)
end
redis.call('HDEL', KEYS[4], ARGV[2])
if redis.call('HGET', KEYS[1], 'state') ~= 'ACTIVE_ENROLMENT' then return 0 end
if redis.call('HGET', KEYS[1], 'next_step') ~= ARGV[1] then return 0 end
if ARGV[3] == '1' then redis.call('RPUSH', KEYS[3], ARGV[2]) end
local next_step = tonumber(ARGV[1]) + 1
if ARGV[5] == '' then
  redis.call('HSET', KEYS[1], 'next_step', next_step, 'state', 'COMPLETED', 'next_due_ms', '0')
else
  redis.call('HSET', KEYS[1], 'next_step', next_step, 'next_due_ms', ARGV[6])
  redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
end
return 1
)lua");
  return s;
}

redis::Script& DeferScript() {
  // KEYS: enrol; ARGV: step, due ms
  static redis::Script s(R"lua(
if redis.call('HGET', KEYS[1], 'state') ~= 'ACTIVE_ENROLMENT' then return 0 end
if redis.call('HGET', KEYS[1], 'next_step') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'next_due_ms', ARGV[2])
return 1
)lua");
  return s;
}

redis::Script& LeaseScript() {
  // KEYS: lease; ARGV: owner, ttl ms
  static redis::Script s(R"lua(
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
)lua");
  return s;
}

redis::Script& ExitScript() {
  // KEYS: enrol, due; ARGV: reason, enrolment id
  static redis::Script s(R"lua(
if redis.call('HGET', KEYS[1], 'state') ~= 'ACTIVE_ENROLMENT' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'EXITED', 'exit_reason', ARGV[1])
local step = redis.call('HGET', KEYS[1], 'next_step')
redis.call('ZREM', KEYS[2], ARGV[2] .. ':' .. step)
return 1
)lua");
  return s;
}

Status Bad(const redis::Reply& r, const std::string& what) {
  return Status::Unavailable("redis " + what + ": " + r.str);
}

StatusOr<bool> IntReply(StatusOr<redis::Reply> r, const std::string& what) {
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, what);
  return r->integer == 1;
}

Status OkReply(StatusOr<redis::Reply> r, const std::string& what) {
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, what);
  return Status::Ok();
}

int64_t ToInt(const std::string& s) {
  try {
    return s.empty() ? 0 : std::stoll(s);
  } catch (...) {
    return 0;
  }
}

}  // namespace

StatusOr<bool> NurtureStore::Enrol(const NewEnrolment& e,
                                   const leadflow::routing::v1::NurtureRequested& req) {
  std::string raw;
  req.SerializeToString(&raw);
  return IntReply(
      redis_.Eval(EnrolScript(),
                  {kP + "enrol:" + e.enrolment_id, kP + "req:" + e.enrolment_id,
                   kP + "contact:" + e.contact_id, kP + "lead:" + e.lead_id,
                   kP + "account:" + e.account_key, kP + "contact-email:" + e.email, kP + "due"},
                  {raw, e.contact_id, e.lead_id, e.track_id,
                   leadflow::common::v1::Relationship_Name(e.audience), e.account_key, e.trace_id,
                   std::to_string(e.enrolled_ms), e.first_touch_id, std::to_string(e.first_due_ms),
                   e.enrolment_id, e.email}),
      "enrol");
}

StatusOr<std::optional<EnrolmentRecord>> NurtureStore::Get(const std::string& enrolment_id) {
  auto r = redis_.Pipeline({{"HGETALL", kP + "enrol:" + enrolment_id},
                            {"LRANGE", kP + "sent-list:" + enrolment_id, "0", "-1"}});
  if (!r.ok()) return r.status();
  if ((*r)[0].is_error()) return Bad((*r)[0], "HGETALL enrol");
  if ((*r)[0].elements.empty()) return std::optional<EnrolmentRecord>();
  EnrolmentRecord rec;
  auto& e = rec.enrolment;
  e.set_enrolment_id(enrolment_id);
  const auto& f = (*r)[0].elements;
  for (size_t i = 0; i + 1 < f.size(); i += 2) {
    const std::string& k = f[i].str;
    const std::string& v = f[i + 1].str;
    if (k == "contact_id")
      e.set_contact_id(v);
    else if (k == "lead_id")
      e.set_lead_id(v);
    else if (k == "track_id")
      e.set_track_id(v);
    else if (k == "audience") {
      leadflow::common::v1::Relationship a;
      if (leadflow::common::v1::Relationship_Parse(v, &a)) e.set_audience(a);
    } else if (k == "account_key")
      rec.account_key = v;
    else if (k == "trace_id")
      rec.trace_id = v;
    else if (k == "next_step")
      e.set_next_step(static_cast<int32_t>(ToInt(v)));
    else if (k == "next_due_ms")
      rec.next_due_ms = ToInt(v);
    else if (k == "enrolled_ms")
      rec.enrolled_ms = ToInt(v);
    else if (k == "state") {
      nv1::EnrolmentState st;
      if (nv1::EnrolmentState_Parse(v, &st)) e.set_state(st);
    } else if (k == "exit_reason")
      e.set_exit_reason(v);
  }
  if (rec.next_due_ms > 0) {
    e.mutable_next_due_at()->set_seconds(rec.next_due_ms / 1000);
    e.mutable_next_due_at()->set_nanos(static_cast<int32_t>(rec.next_due_ms % 1000) * 1000000);
  }
  for (const auto& t : (*r)[1].elements) e.add_sent_touch_ids(t.str);
  return std::optional<EnrolmentRecord>(std::move(rec));
}

StatusOr<std::optional<leadflow::routing::v1::NurtureRequested>> NurtureStore::GetRequest(
    const std::string& enrolment_id) {
  auto r = redis_.Run({"GET", kP + "req:" + enrolment_id});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, "GET req");
  if (r->is_nil()) return std::optional<leadflow::routing::v1::NurtureRequested>();
  leadflow::routing::v1::NurtureRequested req;
  if (!req.ParseFromString(r->str)) return Status::Internal("stored nurture request is corrupt");
  return std::optional<leadflow::routing::v1::NurtureRequested>(std::move(req));
}

StatusOr<std::vector<std::string>> NurtureStore::Members(const std::string& key) {
  auto r = redis_.Run({"SMEMBERS", key});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, "SMEMBERS");
  std::vector<std::string> out;
  for (const auto& e : r->elements) out.push_back(e.str);
  return out;
}

StatusOr<std::vector<std::string>> NurtureStore::EnrolmentsOfContact(const std::string& id) {
  return Members(kP + "contact:" + id);
}
StatusOr<std::vector<std::string>> NurtureStore::EnrolmentsOfLead(const std::string& id) {
  return Members(kP + "lead:" + id);
}
StatusOr<std::vector<std::string>> NurtureStore::EnrolmentsOfAccount(const std::string& key) {
  return Members(kP + "account:" + key);
}

StatusOr<std::optional<std::string>> NurtureStore::ContactByEmail(const std::string& email) {
  auto r = redis_.Run({"GET", kP + "contact-email:" + email});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, "GET contact-email");
  if (r->is_nil()) return std::optional<std::string>();
  return std::optional<std::string>(r->str);
}

StatusOr<std::vector<std::string>> NurtureStore::DueTouches(int64_t now_ms, int limit) {
  auto r = redis_.Run({"ZRANGEBYSCORE", kP + "due", "-inf", std::to_string(now_ms), "LIMIT", "0",
                       std::to_string(limit)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, "ZRANGEBYSCORE due");
  std::vector<std::string> out;
  for (const auto& e : r->elements) out.push_back(e.str);
  return out;
}

StatusOr<bool> NurtureStore::ClaimTouch(const std::string& touch_id, int64_t now_ms) {
  return IntReply(redis_.Eval(ClaimScript(), {kP + "due", kP + "inflight"},
                              {touch_id, std::to_string(now_ms)}),
                  "claim");
}

Status NurtureStore::Release(const std::string& touch_id, int64_t due_ms) {
  auto r = redis_.Pipeline({{"ZADD", kP + "due", std::to_string(due_ms), touch_id},
                            {"HDEL", kP + "inflight", touch_id}});
  if (!r.ok()) return r.status();
  for (const auto& rep : *r) {
    if (rep.is_error()) return Bad(rep, "release");
  }
  return Status::Ok();
}

Status NurtureStore::Defer(const std::string& enrolment_id, int step,
                           const std::string& touch_id, int64_t due_ms) {
  if (Status s = Release(touch_id, due_ms); !s.ok()) return s;
  auto r = redis_.Eval(DeferScript(), {kP + "enrol:" + enrolment_id},
                       {std::to_string(step), std::to_string(due_ms)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, "defer");
  return Status::Ok();
}

Status NurtureStore::Drop(const std::string& touch_id) {
  return OkReply(redis_.Run({"HDEL", kP + "inflight", touch_id}), "HDEL inflight");
}

StatusOr<std::vector<std::pair<std::string, int64_t>>> NurtureStore::InFlight() {
  auto r = redis_.Run({"HGETALL", kP + "inflight"});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, "HGETALL inflight");
  std::vector<std::pair<std::string, int64_t>> out;
  for (size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    out.emplace_back(r->elements[i].str, ToInt(r->elements[i + 1].str));
  }
  return out;
}

StatusOr<bool> NurtureStore::IsSent(const std::string& touch_id) {
  return IntReply(redis_.Run({"EXISTS", kP + "sent:" + touch_id}), "EXISTS sent");
}

StatusOr<std::vector<int64_t>> NurtureStore::RecentSends(const std::string& contact_id,
                                                         int64_t now_ms) {
  auto r = redis_.Run({"ZRANGEBYSCORE", kP + "sends:" + contact_id,
                       "(" + std::to_string(now_ms - 7LL * 24 * 3600 * 1000), "+inf", "WITHSCORES"});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, "ZRANGEBYSCORE sends");
  std::vector<int64_t> out;
  for (size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    out.push_back(ToInt(r->elements[i + 1].str));
  }
  return out;
}

StatusOr<bool> NurtureStore::Finish(const std::string& enrolment_id, const std::string& contact_id,
                                    const std::string& touch_id, int expected_step, bool sent,
                                    int64_t sent_ms, const std::string& next_touch_id,
                                    int64_t next_due_ms) {
  return IntReply(
      redis_.Eval(FinishScript(),
                  {kP + "enrol:" + enrolment_id, kP + "due", kP + "sent-list:" + enrolment_id,
                   kP + "inflight", kP + "sent:" + touch_id, kP + "sends:" + contact_id},
                  {std::to_string(expected_step), touch_id, sent ? "1" : "0",
                   std::to_string(sent_ms), next_touch_id, std::to_string(next_due_ms),
                   std::to_string(7LL * 24 * 3600 * 1000)}),
      "finish");
}

StatusOr<bool> NurtureStore::Exit(const std::string& enrolment_id, const std::string& reason) {
  return IntReply(
      redis_.Eval(ExitScript(), {kP + "enrol:" + enrolment_id, kP + "due"}, {reason, enrolment_id}),
      "exit");
}

StatusOr<int> NurtureStore::Unsubscribe(const std::string& contact_id, const std::string& reason) {
  if (Status s = AddUnsubscribed(contact_id); !s.ok()) return s;
  auto ids = EnrolmentsOfContact(contact_id);
  if (!ids.ok()) return ids.status();
  int exited = 0;
  for (const auto& id : *ids) {
    auto r = Exit(id, reason);
    if (!r.ok()) return r.status();
    if (*r) ++exited;
  }
  return exited;
}

StatusOr<bool> NurtureStore::HoldSchedulerLease(const std::string& owner, int64_t ttl_ms) {
  return IntReply(redis_.Eval(LeaseScript(), {kP + "scheduler-lease"}, {owner, std::to_string(ttl_ms)}),
                  "scheduler lease");
}

StatusOr<bool> NurtureStore::IsUnsubscribed(const std::string& contact_id) {
  return IntReply(redis_.Run({"SISMEMBER", kP + "unsub", contact_id}), "SISMEMBER unsub");
}
Status NurtureStore::AddUnsubscribed(const std::string& contact_id) {
  return OkReply(redis_.Run({"SADD", kP + "unsub", contact_id}), "SADD unsub");
}
StatusOr<bool> NurtureStore::IsUnsubscribedEmail(const std::string& email) {
  return IntReply(redis_.Run({"SISMEMBER", kP + "unsub-email", email}), "SISMEMBER unsub-email");
}
Status NurtureStore::AddUnsubscribedEmail(const std::string& email) {
  return OkReply(redis_.Run({"SADD", kP + "unsub-email", email}), "SADD unsub-email");
}
StatusOr<bool> NurtureStore::IsSuppressed(const std::string& account_key,
                                          const std::string& topic) {
  return IntReply(redis_.Run({"SISMEMBER", kP + "suppressed:" + account_key, topic}),
                  "SISMEMBER suppressed");
}
Status NurtureStore::AddSuppression(const std::string& account_key, const std::string& topic) {
  return OkReply(redis_.Run({"SADD", kP + "suppressed:" + account_key, topic}), "SADD suppressed");
}

}  // namespace leadflow::nurture
