#include "nurture/app/enrolments.h"

#include "common/redis/embedded_script.h"
#include "enrol_many.lua.h"
#include "exit_enrolment.lua.h"
#include "nurture/app/nurture_keys.h"
#include "nurture/app/nurture_replies.h"

namespace leadflow::nurture {
namespace {

const std::string kP = kNurtureKeyPrefix;

// The keys and arguments of one enrolment in enrol_many.lua.
constexpr size_t kEnrolKeys = 6;
constexpr size_t kEnrolArgs = 12;

// The enrolment checks of one query from the pipeline's replies: its lead
// index (when asked for, at `lead`) and the unsubscribed flags at `i` of the
// contacts and `email_at` of the emails.
StatusOr<EnrolChecks> ChecksOf(const EnrolCheckQuery& q, const redis::Reply* lead,
                               const redis::Reply& unsub, size_t i, const redis::Reply* unsub_email,
                               size_t email_at) {
  EnrolChecks c;
  if (lead != nullptr) {
    if (Status s = redis::ExpectOk(*lead, "enrolment checks"); !s.ok()) return s;
    for (const auto& e : lead->elements) c.lead_enrolments.push_back(e.str);
  }
  c.unsubscribed = i < unsub.elements.size() && unsub.elements[i].integer == 1;
  if (!q.email.empty()) {
    c.unsubscribed = c.unsubscribed || (email_at < unsub_email->elements.size() &&
                                        unsub_email->elements[email_at].integer == 1);
  }
  return c;
}

}  // namespace

StatusOr<bool> Enrolments::Enrol(const NewEnrolment& e,
                                 const leadflow::routing::v1::NurtureRequested& req) {
  return std::move(EnrolMany({EnrolWrite{&e, &req}}).front());
}

std::vector<StatusOr<bool>> Enrolments::EnrolMany(const std::vector<EnrolWrite>& writes) {
  if (writes.empty()) return {};
  redis::Script& script = redis::EmbeddedScript<lua::kEnrolMany>();
  std::vector<std::string> keys = {kP + "due"};
  std::vector<std::string> args = {std::to_string(kEnrolKeys), std::to_string(kEnrolArgs)};
  keys.reserve(1 + kEnrolKeys * writes.size());
  args.reserve(2 + kEnrolArgs * writes.size());
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
  return ElementReplies(redis_.Eval(script, keys, args), writes.size(), "enrol");
}

StatusOr<std::optional<EnrolmentRecord>> Enrolments::Get(const std::string& enrolment_id) {
  auto r = redis_.Pipeline({{"HGETALL", kP + "enrol:" + enrolment_id},
                            {"LRANGE", kP + "sent-list:" + enrolment_id, "0", "-1"}});
  if (!r.ok()) return r.status();
  if (Status s = redis::ExpectOk((*r)[0], "HGETALL enrol"); !s.ok()) return s;
  auto rec = ParseEnrolment(enrolment_id, (*r)[0]);
  if (rec.has_value()) {
    for (const auto& t : (*r)[1].elements) rec->enrolment.add_sent_touch_ids(t.str);
  }
  return rec;
}

StatusOr<std::optional<leadflow::routing::v1::NurtureRequested>> Enrolments::GetRequest(
    const std::string& enrolment_id) {
  auto r = redis_.Run({"GET", kP + "req:" + enrolment_id});
  if (!r.ok()) return r.status();
  if (Status s = redis::ExpectOk(*r, "GET req"); !s.ok()) return s;
  if (r->is_nil()) return std::optional<leadflow::routing::v1::NurtureRequested>();
  leadflow::routing::v1::NurtureRequested req;
  if (!req.ParseFromString(r->str)) return Status::Internal("stored nurture request is corrupt");
  return std::optional<leadflow::routing::v1::NurtureRequested>(std::move(req));
}

StatusOr<EnrolmentFields> Enrolments::Fields(const std::string& enrolment_id) {
  auto f = redis_.Run(
      {"HMGET", kP + "enrol:" + enrolment_id, "contact_id", "lead_id", "account_key", "email"});
  if (!f.ok()) return f.status();
  if (Status s = redis::ExpectArray(*f, 4, "HMGET enrol"); !s.ok()) return s;
  EnrolmentFields out;
  out.exists = !f->elements[0].is_nil();
  out.contact_id = f->elements[0].str;
  out.lead_id = f->elements[1].str;
  out.account_key = f->elements[2].str;
  out.email = f->elements[3].str;
  return out;
}

StatusOr<std::vector<std::string>> Enrolments::Members(const std::string& key) {
  return Strings(redis_.Run({"SMEMBERS", key}), "SMEMBERS");
}

StatusOr<std::vector<std::string>> Enrolments::EnrolmentsOfContact(const std::string& id) {
  return Members(kP + "contact:" + id);
}
StatusOr<std::vector<std::string>> Enrolments::EnrolmentsOfLead(const std::string& id) {
  return Members(kP + "lead:" + id);
}
StatusOr<std::vector<std::string>> Enrolments::EnrolmentsOfAccount(const std::string& key) {
  return Members(kP + "account:" + key);
}

StatusOr<std::optional<std::string>> Enrolments::ContactByEmail(const std::string& email) {
  auto r = redis_.Run({"HGET", kP + "contact-email:" + email, "contact"});
  if (r.ok() && r->is_error() && r->str.rfind("WRONGTYPE", 0) == 0) {
    r = redis_.Run({"GET", kP + "contact-email:" + email});  // written before the hash form
  }
  if (!r.ok()) return r.status();
  return redis::ExpectStringOrNil(*r, "contact-email");
}

StatusOr<bool> Enrolments::Exit(const std::string& enrolment_id, const std::string& reason) {
  // The keys its end touches are named by its fields (they never change
  // while it is active; the script re-checks that it is).
  auto f = Fields(enrolment_id);
  if (!f.ok()) return f.status();
  if (!f->exists) return false;  // no such enrolment (or ended and expired)
  redis::Script& script = redis::EmbeddedScript<lua::kExitEnrolment>();
  return IntegerIsOne(
      redis_.Eval(script,
                  {kP + "enrol:" + enrolment_id, kP + "due", kP + "req:" + enrolment_id,
                   kP + "sent-list:" + enrolment_id, kP + "lead:" + f->lead_id,
                   kP + "contact:" + f->contact_id, kP + "account:" + f->account_key,
                   kP + "contact-email:" + f->email},
                  {reason, enrolment_id, f->email.empty() ? "0" : "1",
                   std::to_string(kEndedEnrolmentTtl.count()), std::to_string(kIndexTtl.count())}),
      "exit");
}

std::vector<StatusOr<EnrolChecks>> Enrolments::EnrolChecksMany(
    const std::vector<EnrolCheckQuery>& queries) {
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
    if (Status s = redis::ExpectOk(*set, "enrolment checks"); !s.ok()) {
      return AllFailed<EnrolChecks>(queries.size(), s);
    }
  }
  size_t lead_at = 0;
  size_t email_at = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    const auto& q = queries[i];
    const redis::Reply* lead = q.lead_id.empty() ? nullptr : &(*r)[lead_at++];
    out.push_back(ChecksOf(q, lead, unsub, i, unsub_email, email_at));
    if (!q.email.empty()) ++email_at;
  }
  return out;
}

}  // namespace leadflow::nurture
