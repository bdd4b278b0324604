#include "routing/app/rep_load_store.h"

#include <cstdio>

#include "common/redis/reply.h"
#include "rep_load_set_availability.lua.h"
#include "common/redis/embedded_script.h"
#include "routing/app/out_of_office_store.h"
#include "routing/app/routing_keys.h"

namespace leadflow::routing {
namespace {

// A count as stored (0 when missing or unreadable).
int ToInt(const redis::Reply& e) {
  if (e.is_nil() || e.str.empty()) return 0;
  try {
    return std::stoi(e.str);
  } catch (...) {
    return 0;
  }
}

}  // namespace

Status RepLoadStore::SetAvailability(const std::string& rep_id,
                                     leadflow::routing::v1::RepAvailability a) {
  auto r = redis_.Eval(redis::EmbeddedScript<leadflow::lua::kRepLoadSetAvailability>(),
                       {AvailabilityKey(), RoutingStateKey()},
                       {rep_id, std::to_string(static_cast<int>(a))});
  if (!r.ok()) return r.status();
  return redis::ExpectOk(*r, "availability script");
}

StatusOr<std::vector<std::string>> RepLoadStore::OpenLeads(const std::string& rep_id) {
  auto r = redis_.Run({"SMEMBERS", OpenSetKey(rep_id)});
  if (!r.ok()) return r.status();
  if (Status s = redis::ExpectArray(*r, "SMEMBERS open-set"); !s.ok()) return s;
  std::vector<std::string> ids;
  for (const auto& e : r->elements) ids.push_back(e.str);
  return ids;
}

// MGET open, MGET daily, HMGET availability, HMGET out-of-office
// (out_of_office_store.h).
void RepLoadStore::AppendReads(const std::vector<std::string>& rep_ids, const DayOf& day_of,
                               std::vector<redis::Command>& cmds) {
  redis::Command open{"MGET"}, daily{"MGET"}, avail{"HMGET", AvailabilityKey()},
      away{"HMGET", OutOfOfficeStore::Key()};
  open.reserve(rep_ids.size() + 1);
  daily.reserve(rep_ids.size() + 1);
  avail.reserve(rep_ids.size() + 2);
  away.reserve(rep_ids.size() + 2);
  for (const auto& id : rep_ids) {
    open.push_back(OpenLeadsKey(id));
    daily.push_back(DailyCountKey(day_of(id), id));
    avail.push_back(id);
    away.push_back(id);
  }
  cmds.push_back(std::move(open));
  cmds.push_back(std::move(daily));
  cmds.push_back(std::move(avail));
  cmds.push_back(std::move(away));
}

StatusOr<RepStateView> RepLoadStore::ParseReads(const std::vector<std::string>& rep_ids,
                                                const std::vector<redis::Reply>& replies,
                                                size_t first) {
  for (size_t c = first; c < first + kReadCommands; ++c) {
    if (Status s = redis::ExpectArray(replies[c], rep_ids.size(), "load rep states"); !s.ok()) {
      return s;
    }
  }
  RepStateView view;
  for (size_t i = 0; i < rep_ids.size(); ++i) {
    RepState s;
    s.open_leads = ToInt(replies[first].elements[i]);
    s.today_count = ToInt(replies[first + 1].elements[i]);
    const int a = ToInt(replies[first + 2].elements[i]);
    if (leadflow::routing::v1::RepAvailability_IsValid(a)) {
      s.availability = static_cast<leadflow::routing::v1::RepAvailability>(a);
    }
    s.out_of_office = OutOfOfficeStore::Parse(replies[first + 3].elements[i].str);
    view.Set(rep_ids[i], s);
  }
  return view;
}

std::string RepLoadStore::DayKey(std::chrono::system_clock::time_point now) {
  const auto d = std::chrono::floor<std::chrono::days>(now);
  const std::chrono::year_month_day ymd(d);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace leadflow::routing
