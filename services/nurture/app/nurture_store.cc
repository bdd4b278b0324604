#include "nurture/app/nurture_store.h"

#include "nurture/app/nurture_keys.h"
#include "nurture/app/nurture_scripts.h"

namespace leadflow::nurture {
namespace {

namespace nv1 = leadflow::nurture::v1;
const std::string kP = kNurtureKeyPrefix;

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

// An enrolment hash (HGETALL) as a record; nullopt when it does not exist.
std::optional<EnrolmentRecord> ParseEnrolment(const std::string& enrolment_id,
                                              const redis::Reply& hash) {
  if (hash.elements.empty()) return std::nullopt;
  EnrolmentRecord rec;
  auto& e = rec.enrolment;
  e.set_enrolment_id(enrolment_id);
  const auto& f = hash.elements;
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
  return rec;
}

// One boolean (integer 1) per reply of a batch.
std::vector<StatusOr<bool>> IntReplies(const StatusOr<std::vector<redis::Reply>>& replies,
                                       size_t n, const std::string& what) {
  std::vector<StatusOr<bool>> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!replies.ok()) {
      out.push_back(replies.status());
    } else if ((*replies)[i].is_error()) {
      out.push_back(Bad((*replies)[i], what));
    } else {
      out.push_back((*replies)[i].integer == 1);
    }
  }
  return out;
}

// `n` results, all `status` (a batch whose round trip failed).
template <typename T>
std::vector<StatusOr<T>> AllFailed(size_t n, const Status& status) {
  std::vector<StatusOr<T>> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.emplace_back(status);
  return out;
}

}  // namespace

StatusOr<bool> NurtureStore::Enrol(const NewEnrolment& e,
                                   const leadflow::routing::v1::NurtureRequested& req) {
  return std::move(EnrolMany({EnrolWrite{&e, &req}}).front());
}

std::vector<StatusOr<bool>> NurtureStore::EnrolMany(const std::vector<EnrolWrite>& writes) {
  if (writes.empty()) return {};
  std::vector<redis::ScriptCall> calls;
  calls.reserve(writes.size());
  for (const auto& w : writes) {
    const NewEnrolment& e = *w.enrolment;
    std::string raw;
    w.request->SerializeToString(&raw);
    calls.push_back(
        {{kP + "enrol:" + e.enrolment_id, kP + "req:" + e.enrolment_id,
          kP + "contact:" + e.contact_id, kP + "lead:" + e.lead_id, kP + "account:" + e.account_key,
          kP + "contact-email:" + e.email, kP + "due"},
         {std::move(raw), e.contact_id, e.lead_id, e.track_id,
          leadflow::common::v1::Relationship_Name(e.audience), e.account_key, e.trace_id,
          std::to_string(e.enrolled_ms), e.first_touch_id, std::to_string(e.first_due_ms),
          e.enrolment_id, e.email}});
  }
  return IntReplies(redis_.EvalMany(scripts::Enrol(), calls), writes.size(), "enrol");
}

StatusOr<std::optional<EnrolmentRecord>> NurtureStore::Get(const std::string& enrolment_id) {
  auto r = redis_.Pipeline({{"HGETALL", kP + "enrol:" + enrolment_id},
                            {"LRANGE", kP + "sent-list:" + enrolment_id, "0", "-1"}});
  if (!r.ok()) return r.status();
  if ((*r)[0].is_error()) return Bad((*r)[0], "HGETALL enrol");
  auto rec = ParseEnrolment(enrolment_id, (*r)[0]);
  if (rec.has_value()) {
    for (const auto& t : (*r)[1].elements) rec->enrolment.add_sent_touch_ids(t.str);
  }
  return rec;
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
  return std::move(ClaimTouches({touch_id}, now_ms).front());
}

std::vector<StatusOr<bool>> NurtureStore::ClaimTouches(const std::vector<std::string>& touch_ids,
                                                       int64_t now_ms) {
  if (touch_ids.empty()) return {};
  std::vector<redis::ScriptCall> calls;
  calls.reserve(touch_ids.size());
  const std::string now = std::to_string(now_ms);
  for (const auto& id : touch_ids) calls.push_back({{kP + "due", kP + "inflight"}, {id, now}});
  return IntReplies(redis_.EvalMany(scripts::Claim(), calls), touch_ids.size(), "claim");
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
  return DeferMany({DeferArgs{enrolment_id, step, touch_id, due_ms}});
}

Status NurtureStore::DeferMany(const std::vector<DeferArgs>& deferrals) {
  if (deferrals.empty()) return Status::Ok();
  std::vector<redis::Command> releases;
  std::vector<redis::ScriptCall> calls;
  for (const auto& d : deferrals) {
    releases.push_back({"ZADD", kP + "due", std::to_string(d.due_ms), d.touch_id});
    releases.push_back({"HDEL", kP + "inflight", d.touch_id});
    calls.push_back({{kP + "enrol:" + d.enrolment_id},
                     {std::to_string(d.step), std::to_string(d.due_ms)}});
  }
  auto released = redis_.Pipeline(releases);
  if (!released.ok()) return released.status();
  for (const auto& rep : *released) {
    if (rep.is_error()) return Bad(rep, "release");
  }
  auto deferred = redis_.EvalMany(scripts::Defer(), calls);
  if (!deferred.ok()) return deferred.status();
  for (const auto& rep : *deferred) {
    if (rep.is_error()) return Bad(rep, "defer");
  }
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
  return std::move(FinishMany({FinishArgs{enrolment_id, contact_id, touch_id, expected_step, sent,
                                          sent_ms, next_touch_id, next_due_ms}})
                       .front());
}

std::vector<StatusOr<bool>> NurtureStore::FinishMany(const std::vector<FinishArgs>& finishes) {
  if (finishes.empty()) return {};
  std::vector<redis::ScriptCall> calls;
  calls.reserve(finishes.size());
  const std::string week = std::to_string(7LL * 24 * 3600 * 1000);
  for (const auto& f : finishes) {
    calls.push_back({{kP + "enrol:" + f.enrolment_id, kP + "due", kP + "sent-list:" + f.enrolment_id,
                      kP + "inflight", kP + "sent:" + f.touch_id, kP + "sends:" + f.contact_id},
                     {std::to_string(f.expected_step), f.touch_id, f.sent ? "1" : "0",
                      std::to_string(f.sent_ms), f.next_touch_id, std::to_string(f.next_due_ms),
                      week}});
  }
  return IntReplies(redis_.EvalMany(scripts::Finish(), calls), finishes.size(), "finish");
}

StatusOr<bool> NurtureStore::Exit(const std::string& enrolment_id, const std::string& reason) {
  return IntReply(
      redis_.Eval(scripts::Exit(), {kP + "enrol:" + enrolment_id, kP + "due"}, {reason, enrolment_id}),
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
  return IntReply(redis_.Eval(scripts::Lease(), {kP + "scheduler-lease"}, {owner, std::to_string(ttl_ms)}),
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

std::vector<StatusOr<EnrolChecks>> NurtureStore::EnrolChecksMany(
    const std::vector<EnrolCheckQuery>& queries) {
  // Per query: SMEMBERS lead (if asked), SISMEMBER unsub, SISMEMBER unsub-email (if any).
  std::vector<redis::Command> cmds;
  for (const auto& q : queries) {
    if (!q.lead_id.empty()) cmds.push_back({"SMEMBERS", kP + "lead:" + q.lead_id});
    cmds.push_back({"SISMEMBER", kP + "unsub", q.contact_id});
    if (!q.email.empty()) cmds.push_back({"SISMEMBER", kP + "unsub-email", q.email});
  }
  std::vector<StatusOr<EnrolChecks>> out;
  if (queries.empty()) return out;
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return AllFailed<EnrolChecks>(queries.size(), r.status());
  size_t at = 0;
  for (const auto& q : queries) {
    EnrolChecks c;
    Status bad;
    auto next = [&]() -> const redis::Reply& {
      const redis::Reply& reply = (*r)[at++];
      if (reply.is_error() && bad.ok()) bad = Bad(reply, "enrolment checks");
      return reply;
    };
    if (!q.lead_id.empty()) {
      for (const auto& e : next().elements) c.lead_enrolments.push_back(e.str);
    }
    c.unsubscribed = next().integer == 1;
    if (!q.email.empty()) c.unsubscribed = next().integer == 1 || c.unsubscribed;
    if (bad.ok()) {
      out.emplace_back(std::move(c));
    } else {
      out.emplace_back(bad);
    }
  }
  return out;
}

std::vector<StatusOr<TouchState>> NurtureStore::LoadTouchStates(
    const std::vector<std::string>& touch_ids) {
  std::vector<redis::Command> cmds;
  cmds.reserve(touch_ids.size() * 3);
  std::vector<std::string> enrolments;
  for (const auto& id : touch_ids) {
    // The enrolment id is the touch id without its ":<step>" suffix.
    const auto colon = id.rfind(':');
    enrolments.push_back(colon == std::string::npos ? id : id.substr(0, colon));
    cmds.push_back({"HGETALL", kP + "enrol:" + enrolments.back()});
    cmds.push_back({"GET", kP + "req:" + enrolments.back()});
    cmds.push_back({"EXISTS", kP + "sent:" + id});
  }
  std::vector<StatusOr<TouchState>> out;
  if (touch_ids.empty()) return out;
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return AllFailed<TouchState>(touch_ids.size(), r.status());
  for (size_t i = 0; i < touch_ids.size(); ++i) {
    const redis::Reply& hash = (*r)[3 * i];
    const redis::Reply& req = (*r)[3 * i + 1];
    const redis::Reply& sent = (*r)[3 * i + 2];
    if (hash.is_error() || req.is_error() || sent.is_error()) {
      out.push_back(Bad(hash.is_error() ? hash : req.is_error() ? req : sent, "touch state"));
      continue;
    }
    TouchState t;
    t.record = ParseEnrolment(enrolments[i], hash);
    if (!req.is_nil()) {
      leadflow::routing::v1::NurtureRequested parsed;
      if (!parsed.ParseFromString(req.str)) {
        out.push_back(Status::Internal("stored nurture request is corrupt"));
        continue;
      }
      t.request = std::move(parsed);
    }
    t.already_sent = sent.integer == 1;
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<StatusOr<ContactChecks>> NurtureStore::LoadContactChecks(
    const std::vector<ContactCheckQuery>& queries) {
  // Per query: SISMEMBER unsub, SISMEMBER suppressed per account, ZRANGEBYSCORE sends.
  std::vector<redis::Command> cmds;
  for (const auto& q : queries) {
    cmds.push_back({"SISMEMBER", kP + "unsub", q.contact_id});
    for (const auto& a : q.accounts) cmds.push_back({"SISMEMBER", kP + "suppressed:" + a, q.topic});
    cmds.push_back({"ZRANGEBYSCORE", kP + "sends:" + q.contact_id,
                    "(" + std::to_string(q.now_ms - 7LL * 24 * 3600 * 1000), "+inf", "WITHSCORES"});
  }
  std::vector<StatusOr<ContactChecks>> out;
  if (queries.empty()) return out;
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return AllFailed<ContactChecks>(queries.size(), r.status());
  size_t at = 0;
  for (const auto& q : queries) {
    ContactChecks c;
    Status bad;
    auto next = [&]() -> const redis::Reply& {
      const redis::Reply& reply = (*r)[at++];
      if (reply.is_error() && bad.ok()) bad = Bad(reply, "contact checks");
      return reply;
    };
    c.unsubscribed = next().integer == 1;
    for (size_t a = 0; a < q.accounts.size(); ++a) c.suppressed = next().integer == 1 || c.suppressed;
    const redis::Reply& sends = next();
    for (size_t i = 0; i + 1 < sends.elements.size(); i += 2) {
      c.recent_sends.push_back(ToInt(sends.elements[i + 1].str));
    }
    if (bad.ok()) {
      out.emplace_back(std::move(c));
    } else {
      out.emplace_back(bad);
    }
  }
  return out;
}

}  // namespace leadflow::nurture
