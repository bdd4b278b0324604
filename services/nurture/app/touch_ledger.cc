#include "nurture/app/touch_ledger.h"

#include "claim_due.lua.h"
#include "claim_touch.lua.h"
#include "common/auth/sha256.h"
#include "common/redis/embedded_script.h"
#include "defer_many.lua.h"
#include "finish_many.lua.h"
#include "nurture/app/nurture_keys.h"
#include "nurture/app/nurture_replies.h"
#include "nurture/domain/send_window.h"

namespace leadflow::nurture {
namespace {

const std::string kP = kNurtureKeyPrefix;

// The keys and arguments of one touch in finish_many.lua and defer_many.lua.
constexpr size_t kFinishKeys = 9;
constexpr size_t kFinishArgs = 9;
constexpr size_t kDeferKeys = 1;
constexpr size_t kDeferArgs = 3;

// A touch's member in its contact's send log: 16 hex digits of the touch id's
// SHA-256. Unique per touch (a redelivered finish adds nothing), and short,
// so the log stays a compact listpack (a touch id can be longer than the 64
// bytes a listpack member may have).
std::string SendsMember(const std::string& touch_id) {
  return auth::Sha256Hex(touch_id).substr(0, 16);
}

// The per-touch keys and arguments of finish_many.lua.
void AppendFinish(const FinishArgs& f, std::vector<std::string>& keys,
                  std::vector<std::string>& args) {
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

}  // namespace

TouchLedger::TouchLedger(redis::Client& redis, Enrolments& enrolments)
    : redis_(redis), enrolments_(enrolments) {}

StatusOr<bool> TouchLedger::AnyDue(int64_t now_ms) {
  auto head =
      redis_.Run({"ZRANGEBYSCORE", kP + "due", "-inf", std::to_string(now_ms), "LIMIT", "0", "1"});
  if (!head.ok()) return head.status();
  if (Status s = redis::ExpectArray(*head, "ZRANGEBYSCORE due"); !s.ok()) return s;
  return !head->elements.empty();
}

StatusOr<std::vector<std::string>> TouchLedger::ClaimDue(int64_t now_ms, int limit) {
  redis::Script& script = redis::EmbeddedScript<lua::kClaimDue>();
  return Strings(redis_.Eval(script, {kP + "due", kP + "inflight"},
                             {std::to_string(now_ms), std::to_string(limit)}),
                 "claim due");
}

StatusOr<bool> TouchLedger::ClaimTouch(const std::string& touch_id, int64_t now_ms) {
  redis::Script& script = redis::EmbeddedScript<lua::kClaimTouch>();
  return IntegerIsOne(
      redis_.Eval(script, {kP + "due", kP + "inflight"}, {touch_id, std::to_string(now_ms)}),
      "claim");
}

Status TouchLedger::Release(const std::string& touch_id, int64_t due_ms) {
  auto r = redis_.Pipeline({{"ZADD", kP + "due", std::to_string(due_ms), touch_id},
                            {"HDEL", kP + "inflight", touch_id}});
  if (!r.ok()) return r.status();
  for (const auto& rep : *r) {
    if (Status s = redis::ExpectOk(rep, "release"); !s.ok()) return s;
  }
  return Status::Ok();
}

Status TouchLedger::Defer(const std::string& enrolment_id, int step, const std::string& touch_id,
                          int64_t due_ms) {
  return DeferMany({DeferArgs{enrolment_id, step, touch_id, due_ms}});
}

Status TouchLedger::DeferMany(const std::vector<DeferArgs>& deferrals) {
  if (deferrals.empty()) return Status::Ok();
  redis::Script& script = redis::EmbeddedScript<lua::kDeferMany>();
  std::vector<std::string> keys = {kP + "due", kP + "inflight"};
  std::vector<std::string> args = {std::to_string(kDeferKeys), std::to_string(kDeferArgs)};
  keys.reserve(2 + kDeferKeys * deferrals.size());
  args.reserve(2 + kDeferArgs * deferrals.size());
  for (const auto& d : deferrals) {
    keys.push_back(kP + "enrol:" + d.enrolment_id);
    args.insert(args.end(), {std::to_string(d.step), d.touch_id, std::to_string(d.due_ms)});
  }
  auto r = redis_.Eval(script, keys, args);
  if (!r.ok()) return r.status();
  if (Status s = redis::ExpectArray(*r, "defer"); !s.ok()) return s;
  for (const auto& e : r->elements) {
    if (Status s = redis::ExpectOk(e, "defer"); !s.ok()) return s;
  }
  return Status::Ok();
}

Status TouchLedger::Drop(const std::string& touch_id) {
  auto r = redis_.Run({"HDEL", kP + "inflight", touch_id});
  if (!r.ok()) return r.status();
  return redis::ExpectOk(*r, "HDEL inflight");
}

StatusOr<std::vector<std::pair<std::string, int64_t>>> TouchLedger::InFlight() {
  auto r = redis_.Run({"HGETALL", kP + "inflight"});
  if (!r.ok()) return r.status();
  if (Status s = redis::ExpectArray(*r, "HGETALL inflight"); !s.ok()) return s;
  std::vector<std::pair<std::string, int64_t>> out;
  for (size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    out.emplace_back(r->elements[i].str, ToInt(r->elements[i + 1].str));
  }
  return out;
}

StatusOr<bool> TouchLedger::IsSent(const std::string& touch_id) {
  return IntegerIsOne(redis_.Run({"EXISTS", kP + "sent:" + touch_id}), "EXISTS sent");
}

StatusOr<bool> TouchLedger::Finish(const std::string& enrolment_id, const std::string& contact_id,
                                   const std::string& touch_id, int expected_step, bool sent,
                                   int64_t sent_ms, const std::string& next_touch_id,
                                   int64_t next_due_ms) {
  FinishArgs f{enrolment_id, contact_id, touch_id,      expected_step,
               sent,         sent_ms,    next_touch_id, next_due_ms};
  if (next_touch_id.empty()) {  // it may complete the enrolment: its end's keys
    auto fields = enrolments_.Fields(enrolment_id);
    if (!fields.ok()) return fields.status();
    f.lead_id = fields->lead_id;
    f.account_key = fields->account_key;
    f.email = fields->email;
  }
  return std::move(FinishMany({f}).front());
}

std::vector<StatusOr<bool>> TouchLedger::FinishMany(const std::vector<FinishArgs>& finishes) {
  if (finishes.empty()) return {};
  redis::Script& script = redis::EmbeddedScript<lua::kFinishMany>();
  std::vector<std::string> keys = {kP + "due", kP + "inflight"};
  std::vector<std::string> args = {std::to_string(kFinishKeys),
                                   std::to_string(kFinishArgs),
                                   std::to_string(kWeekMs),
                                   std::to_string(kSentMarkerTtl.count()),
                                   std::to_string(kEndedEnrolmentTtl.count()),
                                   std::to_string(kIndexTtl.count())};
  keys.reserve(2 + kFinishKeys * finishes.size());
  args.reserve(6 + kFinishArgs * finishes.size());
  for (const auto& f : finishes) AppendFinish(f, keys, args);
  return ElementReplies(redis_.Eval(script, keys, args), finishes.size(), "finish");
}

}  // namespace leadflow::nurture
