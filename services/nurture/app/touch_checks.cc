#include "nurture/app/touch_checks.h"

#include "common/redis/embedded_script.h"
#include "contact_checks.lua.h"
#include "nurture/app/nurture_keys.h"
#include "nurture/app/nurture_replies.h"
#include "nurture/domain/send_window.h"

namespace leadflow::nurture {
namespace {

const std::string kP = kNurtureKeyPrefix;

// The arguments of one contact in contact_checks.lua.
constexpr size_t kContactArgs = 4;

// The exclusive lower bound of a week's sends before `now_ms`, as ZRANGEBYSCORE takes it.
std::string WeekBefore(int64_t now_ms) { return "(" + std::to_string(now_ms - kWeekMs); }

// The send times of a WITHSCORES reply (member, score, member, score...).
std::vector<int64_t> Scores(const std::vector<redis::Reply>& pairs) {
  std::vector<int64_t> out;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) out.push_back(ToInt(pairs[i + 1].str));
  return out;
}

// One touch's state from its enrolment hash and its request and marker values.
StatusOr<TouchState> TouchStateOf(const std::string& enrolment_id, const redis::Reply& hash,
                                  const redis::Reply& req, const redis::Reply& sent) {
  if (Status s = redis::ExpectOk(hash, "touch state"); !s.ok()) return s;
  TouchState t;
  t.record = ParseEnrolment(enrolment_id, hash);
  if (!req.is_nil()) {
    leadflow::routing::v1::NurtureRequested parsed;
    if (!parsed.ParseFromString(req.str)) {
      return Status::Internal("stored nurture request is corrupt");
    }
    t.request = std::move(parsed);
  }
  t.already_sent = !sent.is_nil();
  return t;
}

}  // namespace

std::vector<StatusOr<TouchState>> TouchChecks::LoadTouchStates(
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
  if (Status s = redis::ExpectArray(values, 2 * touch_ids.size(), "touch state"); !s.ok()) {
    return AllFailed<TouchState>(touch_ids.size(), s);
  }
  for (size_t i = 0; i < touch_ids.size(); ++i) {
    out.push_back(
        TouchStateOf(enrolments[i], (*r)[i], values.elements[2 * i], values.elements[2 * i + 1]));
  }
  return out;
}

std::vector<StatusOr<ContactChecks>> TouchChecks::LoadContactChecks(
    const std::vector<ContactCheckQuery>& queries) {
  std::vector<StatusOr<ContactChecks>> out;
  if (queries.empty()) return out;
  redis::Script& script = redis::EmbeddedScript<lua::kContactChecks>();
  std::vector<std::string> keys = {kP + "unsub"};
  std::vector<std::string> args = {std::to_string(kContactArgs)};
  args.reserve(1 + kContactArgs * queries.size());
  for (const auto& q : queries) {
    keys.push_back(kP + "sends:" + q.contact_id);
    for (const auto& a : q.accounts) keys.push_back(kP + "suppressed:" + a);
    args.insert(args.end(),
                {q.contact_id, q.topic, WeekBefore(q.now_ms), std::to_string(q.accounts.size())});
  }
  auto r = redis_.Eval(script, keys, args);
  if (!r.ok()) return AllFailed<ContactChecks>(queries.size(), r.status());
  if (Status s = redis::ExpectArray(*r, queries.size(), "contact checks"); !s.ok()) {
    return AllFailed<ContactChecks>(queries.size(), s);
  }
  for (const auto& reply : r->elements) {
    if (Status s = redis::ExpectArray(reply, 3, "contact checks"); !s.ok()) {
      out.emplace_back(s);
      continue;
    }
    ContactChecks c;
    c.unsubscribed = reply.elements[0].integer == 1;
    c.suppressed = reply.elements[1].integer == 1;
    c.recent_sends = Scores(reply.elements[2].elements);
    out.emplace_back(std::move(c));
  }
  return out;
}

StatusOr<std::vector<int64_t>> TouchChecks::RecentSends(const std::string& contact_id,
                                                        int64_t now_ms) {
  auto r = redis_.Run(
      {"ZRANGEBYSCORE", kP + "sends:" + contact_id, WeekBefore(now_ms), "+inf", "WITHSCORES"});
  if (!r.ok()) return r.status();
  if (Status s = redis::ExpectArray(*r, "ZRANGEBYSCORE sends"); !s.ok()) return s;
  return Scores(r->elements);
}

}  // namespace leadflow::nurture
