#include "common/privacy/contact_state.h"

#include "common/redis/embedded_script.h"
#include "contact_state.lua.h"

namespace leadflow::privacy {
namespace {

// contact_state.lua: KEYS, ARGV and the reply are described there.
redis::Script& StateScript() { return redis::EmbeddedScript<lua::kContactState>(); }

// One item's result from its script reply (an array of one result per item).
StatusOr<int64_t> ItemResult(const StatusOr<redis::Reply>& reply, size_t i) {
  std::string error;
  if (!reply.ok()) {
    error = reply.status().message();
  } else if (reply->is_error()) {
    error = reply->str;
  } else if (i >= reply->elements.size()) {
    error = "no reply";
  } else if (reply->elements[i].is_error()) {
    error = reply->elements[i].str;
  } else {
    return reply->elements[i].integer;
  }
  return Status::Unavailable("privacy state: " + error);
}

}  // namespace

std::vector<StatusOr<int64_t>> ContactStateStore::Run(const char* mode,
                                                      const std::vector<Item>& items) {
  std::vector<StatusOr<int64_t>> out;
  if (items.empty()) return out;
  out.reserve(items.size());
  const std::string ttl = std::to_string(ttl_.count());
  auto add = [&](redis::ScriptCall& call, const Item& item) {
    call.keys.push_back(keys_.withdrawn(*item.contact_id));
    call.keys.push_back(keys_.leads(*item.contact_id));
    call.args.push_back(std::to_string(item.ms));
    call.args.push_back(item.lead_id != nullptr ? *item.lead_id : std::string());
  };
  if (keys_.one_slot) {
    redis::ScriptCall call;
    call.args = {mode, ttl};
    call.keys.reserve(2 * items.size());
    call.args.reserve(2 + 2 * items.size());
    for (const auto& item : items) add(call, item);
    auto reply = redis_.Eval(StateScript(), call.keys, call.args);
    for (size_t i = 0; i < items.size(); ++i) out.push_back(ItemResult(reply, i));
    return out;
  }
  std::vector<redis::ScriptCall> calls(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    calls[i].args = {mode, ttl};
    add(calls[i], items[i]);
  }
  auto replies = redis_.EvalMany(StateScript(), calls);
  for (size_t i = 0; i < items.size(); ++i) {
    if (!replies.ok()) {
      out.push_back(Status::Unavailable("privacy state: " + replies.status().message()));
    } else if (i >= replies->size()) {
      out.push_back(Status::Unavailable("privacy state: no reply"));
    } else {
      out.push_back(ItemResult((*replies)[i], 0));
    }
  }
  return out;
}

std::vector<StatusOr<int64_t>> ContactStateStore::SeeLeads(const std::vector<Lead>& leads) {
  std::vector<Item> items;
  items.reserve(leads.size());
  for (const auto& l : leads) items.push_back({&l.contact_id, l.first_submitted_ms, &l.lead_id});
  return Run("see", items);
}

std::vector<StatusOr<int64_t>> ContactStateStore::Withdraw(
    const std::vector<Withdrawal>& withdrawals) {
  std::vector<Item> items;
  items.reserve(withdrawals.size());
  for (const auto& w : withdrawals) items.push_back({&w.contact_id, w.at_ms, nullptr});
  return Run("withdraw", items);
}

std::vector<StatusOr<int64_t>> ContactStateStore::WithdrawnAt(
    const std::vector<std::string>& contact_ids) {
  std::vector<Item> items;
  items.reserve(contact_ids.size());
  for (const auto& c : contact_ids) items.push_back({&c, 0, nullptr});
  return Run("read", items);
}

StatusOr<std::vector<std::string>> ContactStateStore::LeadsOf(const std::string& contact_id) {
  auto r = redis_.Run({"SMEMBERS", keys_.leads(contact_id)});
  if (!r.ok()) return Status::Unavailable("privacy state: " + r.status().message());
  if (Status s = redis::ExpectArray(*r, "SMEMBERS privacy leads"); !s.ok()) return s;
  std::vector<std::string> out;
  for (const auto& e : r->elements) out.push_back(e.str);
  return out;
}

Status ContactStateStore::Tombstone(const std::string& contact_id, int64_t at_ms) {
  auto r = Run("tombstone", {{&contact_id, at_ms, nullptr}});
  return r.front().ok() ? Status::Ok() : r.front().status();
}

}  // namespace leadflow::privacy
