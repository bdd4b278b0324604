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

redis::Script& AdvanceScript() {
  // KEYS: enrol, due, sent-list; ARGV: expected step, sent touch, next touch, next due
  static redis::Script s(R"lua(
if redis.call('HGET', KEYS[1], 'state') ~= 'ACTIVE_ENROLMENT' then return 0 end
if redis.call('HGET', KEYS[1], 'next_step') ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('RPUSH', KEYS[3], ARGV[2]) end
local next_step = tonumber(ARGV[1]) + 1
if ARGV[3] == '' then
  redis.call('HSET', KEYS[1], 'next_step', next_step, 'state', 'COMPLETED', 'next_due_ms', '0')
else
  redis.call('HSET', KEYS[1], 'next_step', next_step, 'next_due_ms', ARGV[4])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
end
return 1
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

StatusOr<bool> NurtureStore::ClaimTouch(const std::string& touch_id) {
  return IntReply(redis_.Run({"ZREM", kP + "due", touch_id}), "ZREM due");
}

Status NurtureStore::Reschedule(const std::string& touch_id, int64_t due_ms) {
  return OkReply(redis_.Run({"ZADD", kP + "due", std::to_string(due_ms), touch_id}), "ZADD due");
}

StatusOr<bool> NurtureStore::MarkSent(const std::string& touch_id) {
  auto r = redis_.Run({"SET", kP + "sent:" + touch_id, "1", "NX", "EX", "31536000"});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, "SET sent");
  return !r->is_nil();
}

Status NurtureStore::UnmarkSent(const std::string& touch_id) {
  return OkReply(redis_.Run({"DEL", kP + "sent:" + touch_id}), "DEL sent");
}

StatusOr<bool> NurtureStore::Advance(const std::string& enrolment_id, int expected_step,
                                     const std::string& sent_touch_id,
                                     const std::string& next_touch_id, int64_t next_due_ms) {
  return IntReply(
      redis_.Eval(AdvanceScript(),
                  {kP + "enrol:" + enrolment_id, kP + "due", kP + "sent-list:" + enrolment_id},
                  {std::to_string(expected_step), sent_touch_id, next_touch_id,
                   std::to_string(next_due_ms)}),
      "advance");
}

StatusOr<bool> NurtureStore::Exit(const std::string& enrolment_id, const std::string& reason) {
  return IntReply(
      redis_.Eval(ExitScript(), {kP + "enrol:" + enrolment_id, kP + "due"}, {reason, enrolment_id}),
      "exit");
}

StatusOr<bool> NurtureStore::IsUnsubscribed(const std::string& contact_id) {
  return IntReply(redis_.Run({"SISMEMBER", kP + "unsub", contact_id}), "SISMEMBER unsub");
}
Status NurtureStore::AddUnsubscribed(const std::string& contact_id) {
  return OkReply(redis_.Run({"SADD", kP + "unsub", contact_id}), "SADD unsub");
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
