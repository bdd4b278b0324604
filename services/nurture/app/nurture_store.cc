#include "nurture/app/nurture_store.h"

#include "common/auth/sha256.h"

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

// A touch's member in its contact's send log: 16 hex digits of the touch id's
// SHA-256. Unique per touch (a redelivered finish adds nothing), and short,
// so the log stays a compact listpack (a touch id can be longer than the 64
// bytes a listpack member may have).
std::string SendsMember(const std::string& touch_id) {
  return auth::Sha256Hex(touch_id).substr(0, 16);
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
    else if (k == "email")
      rec.email = v;
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

// One boolean (integer 1) per element of a script's array reply; an error
// element fails its own input only.
std::vector<StatusOr<bool>> ElementReplies(const redis::Reply& reply, const std::string& what) {
  std::vector<StatusOr<bool>> out;
  out.reserve(reply.elements.size());
  for (const auto& e : reply.elements) {
    if (e.is_error()) {
      out.push_back(Bad(e, what));
    } else {
      out.push_back(e.integer == 1);
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
  std::vector<std::string> keys = {kP + "due"};
  std::vector<std::string> args;
  keys.reserve(1 + 6 * writes.size());
  args.reserve(12 * writes.size());
  for (const auto& w : writes) {
    const NewEnrolment& e = *w.enrolment;
    std::string raw;
    w.request->SerializeToString(&raw);
    keys.insert(keys.end(), {kP + "enrol:" + e.enrolment_id, kP + "req:" + e.enrolment_id,
                             kP + "contact:" + e.contact_id, kP + "lead:" + e.lead_id,
                             kP + "account:" + e.account_key, kP + "contact-email:" + e.email});
    args.insert(args.end(), {std::move(raw), e.contact_id, e.lead_id, e.track_id,
                             leadflow::common::v1::Relationship_Name(e.audience), e.account_key,
                             e.trace_id, std::to_string(e.enrolled_ms), e.first_touch_id,
                             std::to_string(e.first_due_ms), e.enrolment_id, e.email});
  }
  auto r = redis_.Eval(scripts::Enrol(), keys, args);
  if (!r.ok()) return AllFailed<bool>(writes.size(), r.status());
  if (r->is_error() || r->elements.size() != writes.size()) {
    return AllFailed<bool>(writes.size(), Bad(*r, "enrol"));
  }
  return ElementReplies(*r, "enrol");
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
  auto r = redis_.Run({"HGET", kP + "contact-email:" + email, "contact"});
  if (r.ok() && r->is_error() && r->str.rfind("WRONGTYPE", 0) == 0) {
    r = redis_.Run({"GET", kP + "contact-email:" + email});  // written before the hash form
  }
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, "contact-email");
  if (r->is_nil()) return std::optional<std::string>();
  return std::optional<std::string>(r->str);
}

StatusOr<std::vector<std::string>> NurtureStore::ClaimDue(int64_t now_ms, int limit) {
  auto r = redis_.Eval(scripts::ClaimDue(), {kP + "due", kP + "inflight"},
                       {std::to_string(now_ms), std::to_string(limit)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, "claim due");
  std::vector<std::string> out;
  out.reserve(r->elements.size());
  for (const auto& e : r->elements) out.push_back(e.str);
  return out;
}

StatusOr<bool> NurtureStore::ClaimTouch(const std::string& touch_id, int64_t now_ms) {
  return IntReply(redis_.Eval(scripts::Claim(), {kP + "due", kP + "inflight"},
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

Status NurtureStore::Defer(const std::string& enrolment_id, int step, const std::string& touch_id,
                           int64_t due_ms) {
  return DeferMany({DeferArgs{enrolment_id, step, touch_id, due_ms}});
}

Status NurtureStore::DeferMany(const std::vector<DeferArgs>& deferrals) {
  if (deferrals.empty()) return Status::Ok();
  std::vector<std::string> keys = {kP + "due", kP + "inflight"};
  std::vector<std::string> args;
  keys.reserve(2 + deferrals.size());
  args.reserve(3 * deferrals.size());
  for (const auto& d : deferrals) {
    keys.push_back(kP + "enrol:" + d.enrolment_id);
    args.insert(args.end(), {std::to_string(d.step), d.touch_id, std::to_string(d.due_ms)});
  }
  auto r = redis_.Eval(scripts::Defer(), keys, args);
  if (!r.ok()) return r.status();
  if (r->is_error()) return Bad(*r, "defer");
  for (const auto& e : r->elements) {
    if (e.is_error()) return Bad(e, "defer");
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
  auto r =
      redis_.Run({"ZRANGEBYSCORE", kP + "sends:" + contact_id,
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
  FinishArgs f{enrolment_id, contact_id, touch_id,      expected_step,
               sent,         sent_ms,    next_touch_id, next_due_ms};
  if (next_touch_id.empty()) {  // it may complete the enrolment: its end's keys
    auto fields = EnrolmentFields(enrolment_id);
    if (!fields.ok()) return fields.status();
    f.lead_id = fields->lead_id;
    f.account_key = fields->account_key;
    f.email = fields->email;
  }
  return std::move(FinishMany({f}).front());
}

StatusOr<NurtureStore::Fields> NurtureStore::EnrolmentFields(const std::string& enrolment_id) {
  auto f = redis_.Run(
      {"HMGET", kP + "enrol:" + enrolment_id, "contact_id", "lead_id", "account_key", "email"});
  if (!f.ok()) return f.status();
  if (f->is_error() || f->elements.size() != 4) return Bad(*f, "HMGET enrol");
  Fields out;
  out.exists = !f->elements[0].is_nil();
  out.contact_id = f->elements[0].str;
  out.lead_id = f->elements[1].str;
  out.account_key = f->elements[2].str;
  out.email = f->elements[3].str;
  return out;
}

std::vector<StatusOr<bool>> NurtureStore::FinishMany(const std::vector<FinishArgs>& finishes) {
  if (finishes.empty()) return {};
  std::vector<std::string> keys = {kP + "due", kP + "inflight"};
  std::vector<std::string> args = {
      std::to_string(7LL * 24 * 3600 * 1000), std::to_string(kSentMarkerTtl.count()),
      std::to_string(kEndedEnrolmentTtl.count()), std::to_string(kIndexTtl.count())};
  keys.reserve(2 + 9 * finishes.size());
  args.reserve(4 + 9 * finishes.size());
  for (const auto& f : finishes) {
    keys.insert(keys.end(), {kP + "enrol:" + f.enrolment_id, kP + "sent-list:" + f.enrolment_id,
                             kP + "sent:" + f.touch_id, kP + "sends:" + f.contact_id,
                             kP + "req:" + f.enrolment_id, kP + "lead:" + f.lead_id,
                             kP + "contact:" + f.contact_id, kP + "account:" + f.account_key,
                             kP + "contact-email:" + f.email});
    args.insert(args.end(),
                {std::to_string(f.expected_step), f.touch_id, f.sent ? "1" : "0",
                 std::to_string(f.sent_ms), f.next_touch_id, std::to_string(f.next_due_ms),
                 f.enrolment_id, f.email.empty() ? "0" : "1", SendsMember(f.touch_id)});
  }
  auto r = redis_.Eval(scripts::Finish(), keys, args);
  if (!r.ok()) return AllFailed<bool>(finishes.size(), r.status());
  if (r->is_error() || r->elements.size() != finishes.size()) {
    return AllFailed<bool>(finishes.size(), Bad(*r, "finish"));
  }
  return ElementReplies(*r, "finish");
}

StatusOr<bool> NurtureStore::Exit(const std::string& enrolment_id, const std::string& reason) {
  // The keys its end touches are named by its fields (they never change
  // while it is active; the script re-checks that it is).
  auto f = EnrolmentFields(enrolment_id);
  if (!f.ok()) return f.status();
  if (!f->exists) return false;  // no such enrolment (or ended and expired)
  return IntReply(
      redis_.Eval(scripts::Exit(),
                  {kP + "enrol:" + enrolment_id, kP + "due", kP + "req:" + enrolment_id,
                   kP + "sent-list:" + enrolment_id, kP + "lead:" + f->lead_id,
                   kP + "contact:" + f->contact_id, kP + "account:" + f->account_key,
                   kP + "contact-email:" + f->email},
                  {reason, enrolment_id, f->email.empty() ? "0" : "1",
                   std::to_string(kEndedEnrolmentTtl.count()), std::to_string(kIndexTtl.count())}),
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
  return IntReply(
      redis_.Eval(scripts::Lease(), {kP + "scheduler-lease"}, {owner, std::to_string(ttl_ms)}),
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
  // SMEMBERS of each lead index asked for, then one SMISMEMBER of the
  // unsubscribed contacts and one of the unsubscribed emails for the batch.
  std::vector<StatusOr<EnrolChecks>> out;
  if (queries.empty()) return out;
  std::vector<redis::Command> cmds;
  redis::Command contacts = {"SMISMEMBER", kP + "unsub"};
  redis::Command emails = {"SMISMEMBER", kP + "unsub-email"};
  for (const auto& q : queries) {
    if (!q.lead_id.empty()) cmds.push_back({"SMEMBERS", kP + "lead:" + q.lead_id});
    contacts.push_back(q.contact_id);
    if (!q.email.empty()) emails.push_back(q.email);
  }
  const size_t contacts_at = cmds.size();
  cmds.push_back(std::move(contacts));
  const bool any_email = emails.size() > 2;
  if (any_email) cmds.push_back(std::move(emails));
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return AllFailed<EnrolChecks>(queries.size(), r.status());
  const redis::Reply& unsub = (*r)[contacts_at];
  const redis::Reply* unsub_email = any_email ? &(*r)[contacts_at + 1] : nullptr;
  for (const redis::Reply* set : {&unsub, unsub_email}) {
    if (set == nullptr) continue;
    if (set->is_error())
      return AllFailed<EnrolChecks>(queries.size(), Bad(*set, "enrolment checks"));
  }
  size_t lead_at = 0;
  size_t email_at = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    const auto& q = queries[i];
    EnrolChecks c;
    if (!q.lead_id.empty()) {
      const redis::Reply& lead = (*r)[lead_at++];
      if (lead.is_error()) {
        out.emplace_back(Bad(lead, "enrolment checks"));
        if (!q.email.empty()) ++email_at;
        continue;
      }
      for (const auto& e : lead.elements) c.lead_enrolments.push_back(e.str);
    }
    c.unsubscribed = i < unsub.elements.size() && unsub.elements[i].integer == 1;
    if (!q.email.empty()) {
      const size_t at = email_at++;
      c.unsubscribed = c.unsubscribed || (at < unsub_email->elements.size() &&
                                          unsub_email->elements[at].integer == 1);
    }
    out.emplace_back(std::move(c));
  }
  return out;
}

std::vector<StatusOr<TouchState>> NurtureStore::LoadTouchStates(
    const std::vector<std::string>& touch_ids) {
  // HGETALL of each enrolment, then one MGET of every request and sent
  // marker (request, marker, request, marker...).
  std::vector<StatusOr<TouchState>> out;
  if (touch_ids.empty()) return out;
  std::vector<redis::Command> cmds;
  cmds.reserve(touch_ids.size() + 1);
  redis::Command mget = {"MGET"};
  mget.reserve(1 + 2 * touch_ids.size());
  std::vector<std::string> enrolments;
  enrolments.reserve(touch_ids.size());
  for (const auto& id : touch_ids) {
    // The enrolment id is the touch id without its ":<step>" suffix.
    const auto colon = id.rfind(':');
    enrolments.push_back(colon == std::string::npos ? id : id.substr(0, colon));
    cmds.push_back({"HGETALL", kP + "enrol:" + enrolments.back()});
    mget.push_back(kP + "req:" + enrolments.back());
    mget.push_back(kP + "sent:" + id);
  }
  cmds.push_back(std::move(mget));
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return AllFailed<TouchState>(touch_ids.size(), r.status());
  const redis::Reply& values = r->back();
  if (values.is_error() || values.elements.size() != 2 * touch_ids.size()) {
    return AllFailed<TouchState>(touch_ids.size(), Bad(values, "touch state"));
  }
  for (size_t i = 0; i < touch_ids.size(); ++i) {
    const redis::Reply& hash = (*r)[i];
    const redis::Reply& req = values.elements[2 * i];
    const redis::Reply& sent = values.elements[2 * i + 1];
    if (hash.is_error()) {
      out.push_back(Bad(hash, "touch state"));
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
    t.already_sent = !sent.is_nil();
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<StatusOr<ContactChecks>> NurtureStore::LoadContactChecks(
    const std::vector<ContactCheckQuery>& queries) {
  std::vector<StatusOr<ContactChecks>> out;
  if (queries.empty()) return out;
  std::vector<std::string> keys = {kP + "unsub"};
  std::vector<std::string> args;
  args.reserve(4 * queries.size());
  for (const auto& q : queries) {
    keys.push_back(kP + "sends:" + q.contact_id);
    for (const auto& a : q.accounts) keys.push_back(kP + "suppressed:" + a);
    args.insert(args.end(),
                {q.contact_id, q.topic, "(" + std::to_string(q.now_ms - 7LL * 24 * 3600 * 1000),
                 std::to_string(q.accounts.size())});
  }
  auto r = redis_.Eval(scripts::ContactChecks(), keys, args);
  if (!r.ok()) return AllFailed<ContactChecks>(queries.size(), r.status());
  if (r->is_error() || r->elements.size() != queries.size()) {
    return AllFailed<ContactChecks>(queries.size(), Bad(*r, "contact checks"));
  }
  for (const auto& reply : r->elements) {
    ContactChecks c;
    if (reply.is_error() || reply.elements.size() != 3) {
      out.emplace_back(Bad(reply, "contact checks"));
      continue;
    }
    c.unsubscribed = reply.elements[0].integer == 1;
    c.suppressed = reply.elements[1].integer == 1;
    const auto& sends = reply.elements[2].elements;
    for (size_t i = 0; i + 1 < sends.size(); i += 2)
      c.recent_sends.push_back(ToInt(sends[i + 1].str));
    out.emplace_back(std::move(c));
  }
  return out;
}

}  // namespace leadflow::nurture
