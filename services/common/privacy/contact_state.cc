#include "common/privacy/contact_state.h"

namespace leadflow::privacy {
namespace {

redis::Script& StateScript() {
  // KEYS: withdrawn marker, leads index.
  // ARGV: mode (see|withdraw|read|tombstone), ms, ttl seconds, lead id.
  // Returns the contact's withdrawal ms after the call (0 = none).
  static redis::Script script(R"lua(
local w = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local mode, ms = ARGV[1], tonumber(ARGV[2])
if mode == 'see' then
  redis.call('SADD', KEYS[2], ARGV[4])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  if w > 0 and ms > w then
    redis.call('DEL', KEYS[1])
    return 0
  end
  return w
elseif mode == 'withdraw' or mode == 'tombstone' then
  if mode == 'tombstone' then redis.call('DEL', KEYS[2]) end
  if ms > w then
    redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
    return ms
  end
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  return w
end
return w
)lua");
  return script;
}

}  // namespace

std::vector<StatusOr<int64_t>> ContactStateStore::Run(const std::vector<redis::ScriptCall>& calls) {
  std::vector<StatusOr<int64_t>> out;
  if (calls.empty()) return out;
  out.reserve(calls.size());
  auto replies = redis_.EvalMany(StateScript(), calls);
  for (size_t i = 0; i < calls.size(); ++i) {
    std::string error;
    if (!replies.ok()) {
      error = replies.status().message();
    } else if (i >= replies->size()) {
      error = "no reply";
    } else if ((*replies)[i].is_error()) {
      error = (*replies)[i].str;
    }
    if (error.empty()) {
      out.emplace_back((*replies)[i].integer);
    } else {
      out.emplace_back(Status::Unavailable("privacy state: " + error));
    }
  }
  return out;
}

std::vector<StatusOr<int64_t>> ContactStateStore::SeeLeads(const std::vector<Lead>& leads) {
  std::vector<redis::ScriptCall> calls;
  calls.reserve(leads.size());
  for (const auto& l : leads) {
    calls.push_back({{keys_.withdrawn(l.contact_id), keys_.leads(l.contact_id)},
                     {"see", std::to_string(l.first_submitted_ms), std::to_string(ttl_.count()),
                      l.lead_id}});
  }
  return Run(calls);
}

std::vector<StatusOr<int64_t>> ContactStateStore::Withdraw(
    const std::vector<Withdrawal>& withdrawals) {
  std::vector<redis::ScriptCall> calls;
  for (const auto& w : withdrawals) {
    calls.push_back({{keys_.withdrawn(w.contact_id), keys_.leads(w.contact_id)},
                     {"withdraw", std::to_string(w.at_ms), std::to_string(ttl_.count()), ""}});
  }
  return Run(calls);
}

std::vector<StatusOr<int64_t>> ContactStateStore::WithdrawnAt(
    const std::vector<std::string>& contact_ids) {
  std::vector<redis::ScriptCall> calls;
  for (const auto& c : contact_ids) {
    calls.push_back({{keys_.withdrawn(c), keys_.leads(c)}, {"read", "0", "0", ""}});
  }
  return Run(calls);
}

StatusOr<std::vector<std::string>> ContactStateStore::LeadsOf(const std::string& contact_id) {
  auto r = redis_.Run({"SMEMBERS", keys_.leads(contact_id)});
  if (!r.ok()) return Status::Unavailable("privacy state: " + r.status().message());
  if (r->is_error()) return Status::Unavailable("privacy state: " + r->str);
  std::vector<std::string> out;
  for (const auto& e : r->elements) out.push_back(e.str);
  return out;
}

Status ContactStateStore::Tombstone(const std::string& contact_id, int64_t at_ms) {
  auto r = Run({{{keys_.withdrawn(contact_id), keys_.leads(contact_id)},
                 {"tombstone", std::to_string(at_ms), std::to_string(ttl_.count()), ""}}});
  return r.front().ok() ? Status::Ok() : r.front().status();
}

}  // namespace leadflow::privacy
