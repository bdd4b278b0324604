#include "routing/domain/routing_policy.h"

#include <algorithm>
#include <set>

#include "routing/domain/queue_order.h"
#include "routing/domain/sla_ladder.h"

namespace leadflow::routing {
namespace {

using leadflow::config::v1::RoutingRules;

Status Err(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("routing rules: " + field + ": " + what);
}

// The large-deal rule: off at 0; on, its team and every team it yields to
// must exist and queue on overflow (a large deal never falls back to nurture
// because every key-account manager is busy).
Status ValidateLargeDeal(const RoutingRules& r, const std::map<std::string, int>& team_index) {
  const auto& rule = r.large_deal();
  if (rule.min_expected_deal_rub() < 0) {
    return Err("large_deal.min_expected_deal_rub", "must be >= 0 (0 = rule off)");
  }
  if (rule.min_expected_deal_rub() == 0) return Status::Ok();
  auto queues = [&](const std::string& team_id, const std::string& field) -> Status {
    auto it = team_index.find(team_id);
    if (it == team_index.end()) return Err(field, "unknown team \"" + team_id + "\"");
    if (r.teams(it->second).overflow() != leadflow::config::v1::QUEUE) {
      return Err(field, "team \"" + team_id +
                            "\" must have overflow QUEUE: a large deal waits for its team, "
                            "never falls back to nurture");
    }
    return Status::Ok();
  };
  if (rule.team_id().empty()) return Err("large_deal.team_id", "must be set when the rule is on");
  if (Status s = queues(rule.team_id(), "large_deal.team_id"); !s.ok()) return s;
  std::set<std::string> seen;
  for (int i = 0; i < rule.yield_to_team_rules_size(); ++i) {
    const std::string& id = rule.yield_to_team_rules(i);
    const std::string f = "large_deal.yield_to_team_rules[" + std::to_string(i) + "]";
    if (!seen.insert(id).second) return Err(f, "duplicate rule \"" + id + "\"");
    const auto& rules = r.team_rules();
    auto it = std::find_if(rules.begin(), rules.end(),
                           [&](const auto& tr) { return tr.rule_id() == id; });
    if (it == rules.end()) return Err(f, "unknown team rule \"" + id + "\"");
    if (Status s = queues(it->team_id(), f); !s.ok()) return s;
  }
  return Status::Ok();
}

// Every key of the queue order is a known rank key, each at most once.
Status ValidateQueueOrder(const RoutingRules& r) {
  std::set<int> seen;
  for (int i = 0; i < r.queue_order().by_size(); ++i) {
    const int key = r.queue_order().by(i);
    const std::string f = "queue_order.by[" + std::to_string(i) + "]";
    if (key == leadflow::config::v1::QUEUE_RANK_KEY_UNSPECIFIED ||
        !leadflow::config::v1::QueueRankKey_IsValid(key)) {
      return Err(f,
                 "must be a rank key (QUEUE_RANK_BANT_PRODUCT, QUEUE_RANK_TOTAL_SCORE, "
                 "QUEUE_RANK_FIT_SCORE or QUEUE_RANK_ENGAGEMENT_SCORE)");
    }
    if (!seen.insert(key).second) {
      return Err(f, "duplicate key " + leadflow::config::v1::QueueRankKey_Name(
                                           static_cast<leadflow::config::v1::QueueRankKey>(key)));
    }
  }
  return Status::Ok();
}

// A team's business hours or a rep's working hours: hours, weekdays and a
// known time zone. `who` names the team or rep in the error.
StatusOr<std::shared_ptr<const TimeZone>> CheckHours(const leadflow::config::v1::WorkingHours& h,
                                                     const std::string& f, const std::string& who,
                                                     const ZoneResolver& resolve_zone) {
  if (h.start_hour() < 0 || h.start_hour() > 24) {
    return Err(f + ".start_hour", "must be in 0..24" + who);
  }
  if (h.end_hour() < 0 || h.end_hour() > 24) return Err(f + ".end_hour", "must be in 0..24" + who);
  if (h.start_hour() == h.end_hour()) {
    return Err(f, "start_hour equals end_hour (no working time)" + who);
  }
  std::set<int> days;
  for (int d = 0; d < h.weekdays_size(); ++d) {
    if (h.weekdays(d) < 1 || h.weekdays(d) > 7) {
      return Err(f + ".weekdays[" + std::to_string(d) + "]", "must be 1 (Mon) .. 7 (Sun)" + who);
    }
    if (!days.insert(h.weekdays(d)).second) {
      return Err(f + ".weekdays[" + std::to_string(d) + "]", "duplicate day" + who);
    }
  }
  if (h.time_zone().empty()) return Err(f + ".time_zone", "must be set" + who);
  auto zone = resolve_zone(h.time_zone());
  if (!zone.ok()) return Err(f + ".time_zone", zone.status().message() + who);
  return *zone;
}

// A team's reps, SLA and overflow (its id is checked where it is indexed).
Status CheckTeamSettings(const leadflow::config::v1::Team& team, const std::string& tf) {
  if (team.reps_size() == 0) {
    return Err(tf + ".reps", "team \"" + team.team_id() + "\" has no reps");
  }
  if (team.sla_business_minutes() <= 0) {
    return Err(tf + ".sla_business_minutes", "must be > 0 (team \"" + team.team_id() + "\")");
  }
  if (team.overflow() != leadflow::config::v1::QUEUE &&
      team.overflow() != leadflow::config::v1::TO_NURTURE) {
    return Err(tf + ".overflow", "must be QUEUE or TO_NURTURE (team \"" + team.team_id() + "\")");
  }
  return Status::Ok();
}

// A rep's id, weight and caps.
Status CheckRepLimits(const leadflow::config::v1::Rep& rep, const std::string& rf,
                      const std::string& who) {
  if (rep.rep_id().empty()) return Err(rf + ".rep_id", "must not be empty");
  if (rep.weight() <= 0) return Err(rf + ".weight", "must be > 0" + who);
  if (rep.max_open_leads() <= 0) return Err(rf + ".max_open_leads", "must be > 0" + who);
  if (rep.daily_cap() <= 0) return Err(rf + ".daily_cap", "must be > 0" + who);
  return Status::Ok();
}

// Team rules: unique ids, known teams, no unspecified criteria.
Status ValidateTeamRules(const RoutingRules& r, const std::map<std::string, int>& team_index) {
  std::set<std::string> rule_ids;
  for (int i = 0; i < r.team_rules_size(); ++i) {
    const auto& rule = r.team_rules(i);
    const std::string f = "team_rules[" + std::to_string(i) + "]";
    if (rule.rule_id().empty()) return Err(f + ".rule_id", "must not be empty");
    if (!rule_ids.insert(rule.rule_id()).second) {
      return Err(f + ".rule_id", "duplicate rule \"" + rule.rule_id() + "\"");
    }
    if (!team_index.count(rule.team_id())) {
      return Err(f + ".team_id",
                 "unknown team \"" + rule.team_id() + "\" (rule \"" + rule.rule_id() + "\")");
    }
    for (int s = 0; s < rule.segments_size(); ++s) {
      if (rule.segments(s) == leadflow::common::v1::SEGMENT_UNSPECIFIED) {
        return Err(f + ".segments[" + std::to_string(s) + "]", "SEGMENT_UNSPECIFIED");
      }
    }
    for (int b = 0; b < rule.deal_bands_size(); ++b) {
      if (rule.deal_bands(b) == leadflow::common::v1::DEAL_BAND_UNSPECIFIED) {
        return Err(f + ".deal_bands[" + std::to_string(b) + "]", "DEAL_BAND_UNSPECIFIED");
      }
    }
    for (int p = 0; p < rule.region_prefixes_size(); ++p) {
      if (rule.region_prefixes(p).empty()) {
        return Err(f + ".region_prefixes[" + std::to_string(p) + "]", "must not be empty");
      }
    }
  }
  return Status::Ok();
}

// The default and customer fallback teams exist; protected reasons are real.
Status ValidateFallbacks(const RoutingRules& r, const std::map<std::string, int>& team_index) {
  if (r.default_team().empty()) return Err("default_team", "must be set");
  if (!team_index.count(r.default_team())) {
    return Err("default_team", "unknown team \"" + r.default_team() + "\"");
  }
  if (!r.customer_fallback_team().empty() && !team_index.count(r.customer_fallback_team())) {
    return Err("customer_fallback_team", "unknown team \"" + r.customer_fallback_team() + "\"");
  }
  for (int i = 0; i < r.protected_reject_reasons_size(); ++i) {
    if (r.protected_reject_reasons(i) == leadflow::common::v1::REASON_UNSPECIFIED) {
      return Err("protected_reject_reasons[" + std::to_string(i) + "]", "REASON_UNSPECIFIED");
    }
  }
  return Status::Ok();
}

Status ValidateScheduler(const leadflow::config::v1::SchedulerSettings& sch) {
  if (sch.tick_ms() < 0) return Err("scheduler.tick_ms", "must be >= 0");
  if (sch.sla_retry_seconds() < 0) return Err("scheduler.sla_retry_seconds", "must be >= 0");
  if (sch.outbox_resend_ms() < 0) return Err("scheduler.outbox_resend_ms", "must be >= 0");
  return Status::Ok();
}

}  // namespace

StatusOr<std::shared_ptr<const RoutingPolicy>> RoutingPolicy::Create(
    RoutingRules rules, const ZoneResolver& resolve_zone, double stage_time_scale,
    double sla_time_scale) {
  auto policy = std::shared_ptr<RoutingPolicy>(new RoutingPolicy());
  policy->rules_ = std::move(rules);
  policy->sla_time_scale_ = sla_time_scale;
  const RoutingRules& r = policy->rules_;
  if (r.version().empty()) return Err("version", "must not be empty");
  if (r.teams_size() == 0) return Err("teams", "at least one team is required");
  // Holiday calendars, then the teams and reps that refer to them.
  if (Status s = policy->AddHolidayCalendars(); !s.ok()) return s;
  if (Status s = policy->AddTeams(resolve_zone); !s.ok()) return s;
  if (Status s = ValidateTeamRules(r, policy->team_index_); !s.ok()) return s;
  if (Status s = ValidateFallbacks(r, policy->team_index_); !s.ok()) return s;
  if (Status s = ValidateLargeDeal(r, policy->team_index_); !s.ok()) return s;
  if (Status s = ValidateQueueOrder(r); !s.ok()) return s;
  if (Status s = ValidateSlaLadders(r); !s.ok()) return s;
  if (Status s = policy->ResolveFunnelSettings(stage_time_scale); !s.ok()) return s;
  if (Status s = ValidateScheduler(r.scheduler()); !s.ok()) return s;
  return std::shared_ptr<const RoutingPolicy>(policy);
}

Status RoutingPolicy::AddHolidayCalendars() {
  for (int c = 0; c < rules_.holiday_calendars_size(); ++c) {
    const std::string cf = "holiday_calendars[" + std::to_string(c) + "]";
    auto cal = HolidayCalendar::Create(rules_.holiday_calendars(c), cf);
    if (!cal.ok()) return Status::InvalidArgument("routing rules: " + cal.status().message());
    const std::string id = cal->id();
    if (!holiday_calendars_.emplace(id, std::move(*cal)).second) {
      return Err(cf + ".calendar_id", "duplicate calendar \"" + id + "\"");
    }
  }
  return Status::Ok();
}

StatusOr<const HolidayCalendar*> RoutingPolicy::FindCalendar(
    const std::string& id, const std::string& field, const HolidayCalendar* fallback) const {
  if (id.empty()) return fallback;
  auto it = holiday_calendars_.find(id);
  if (it == holiday_calendars_.end()) {
    return Err(field, "unknown holiday calendar \"" + id + "\" (not in holiday_calendars)");
  }
  return &it->second;
}

Status RoutingPolicy::AddTeams(const ZoneResolver& resolve_zone) {
  auto default_calendar =
      FindCalendar(rules_.default_holiday_calendar(), "default_holiday_calendar", nullptr);
  if (!default_calendar.ok()) return default_calendar.status();
  for (int t = 0; t < rules_.teams_size(); ++t) {
    if (Status s = AddTeam(t, resolve_zone, *default_calendar); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RoutingPolicy::AddTeam(int t, const ZoneResolver& resolve_zone,
                              const HolidayCalendar* default_calendar) {
  const auto& team = rules_.teams(t);
  const std::string tf = "teams[" + std::to_string(t) + "]";
  auto team_calendar =
      FindCalendar(team.holiday_calendar(), tf + ".holiday_calendar", default_calendar);
  if (!team_calendar.ok()) return team_calendar.status();
  team_holidays_[team.team_id()] = *team_calendar;
  if (team.team_id().empty()) return Err(tf + ".team_id", "must not be empty");
  if (!team_index_.emplace(team.team_id(), t).second) {
    return Err(tf + ".team_id", "duplicate team \"" + team.team_id() + "\"");
  }
  if (Status s = CheckTeamSettings(team, tf); !s.ok()) return s;
  if (team.has_business_hours()) {
    auto zone = CheckHours(team.business_hours(), tf + ".business_hours",
                           " (team \"" + team.team_id() + "\")", resolve_zone);
    if (!zone.ok()) return zone.status();
    team_zones_[team.team_id()] = *zone;
  }
  for (int p = 0; p < team.reps_size(); ++p) {
    const std::string rf = tf + ".reps[" + std::to_string(p) + "]";
    if (Status s = AddRep(team, team.reps(p), rf, resolve_zone, *team_calendar); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RoutingPolicy::AddRep(const leadflow::config::v1::Team& team,
                             const leadflow::config::v1::Rep& rep, const std::string& rf,
                             const ZoneResolver& resolve_zone,
                             const HolidayCalendar* team_calendar) {
  const std::string who = " (rep \"" + rep.rep_id() + "\")";
  if (Status s = CheckRepLimits(rep, rf, who); !s.ok()) return s;
  RepPolicy rp;
  rp.rep = &rep;
  rp.team_id = team.team_id();
  auto rep_calendar = FindCalendar(rep.holiday_calendar(), rf + ".holiday_calendar", team_calendar);
  if (!rep_calendar.ok()) return rep_calendar.status();
  rp.holidays = *rep_calendar;
  if (rep.has_hours()) {
    auto zone = CheckHours(rep.hours(), rf + ".hours", who, resolve_zone);
    if (!zone.ok()) return zone.status();
    rp.zone = *zone;
  } else if (team.enforce_working_hours()) {
    return Err(rf + ".hours",
               "required: team \"" + team.team_id() + "\" enforces working hours" + who);
  }
  if (!reps_.emplace(rep.rep_id(), rp).second) {
    return Err(rf + ".rep_id", "duplicate rep \"" + rep.rep_id() + "\"");
  }
  return Status::Ok();
}

Status RoutingPolicy::ResolveFunnelSettings(double stage_time_scale) {
  auto stages = DealStages::Create(rules_.deal_stages(), stage_time_scale);
  if (!stages.ok()) return stages.status();
  deal_stages_ = std::move(*stages);
  auto funnel = ResolveFunnelBands(rules_);
  if (!funnel.ok()) return funnel.status();
  funnel_ = *funnel;
  auto fairness = ResolveFairness(rules_);
  if (!fairness.ok()) return fairness.status();
  fairness_ = *fairness;
  return Status::Ok();
}

const TimeZone* RoutingPolicy::TeamZone(const std::string& team_id) const {
  auto it = team_zones_.find(team_id);
  return it == team_zones_.end() ? nullptr : it->second.get();
}

const HolidayCalendar* RoutingPolicy::TeamHolidays(const std::string& team_id) const {
  auto it = team_holidays_.find(team_id);
  return it == team_holidays_.end() ? nullptr : it->second;
}

int RoutingPolicy::scheduler_tick_ms() const {
  return rules_.scheduler().tick_ms() > 0 ? rules_.scheduler().tick_ms() : 1000;
}

int RoutingPolicy::sla_retry_seconds() const {
  return rules_.scheduler().sla_retry_seconds() > 0 ? rules_.scheduler().sla_retry_seconds() : 60;
}

const leadflow::config::v1::QueueOrder& RoutingPolicy::queue_order() const {
  return rules_.has_queue_order() ? rules_.queue_order() : DefaultQueueOrder();
}

int RoutingPolicy::outbox_resend_ms() const {
  return rules_.scheduler().outbox_resend_ms() > 0 ? rules_.scheduler().outbox_resend_ms() : 5000;
}

const leadflow::config::v1::Team* RoutingPolicy::FindTeam(const std::string& team_id) const {
  auto it = team_index_.find(team_id);
  return it == team_index_.end() ? nullptr : &rules_.teams(it->second);
}

const RepPolicy* RoutingPolicy::FindRep(const std::string& rep_id) const {
  auto it = reps_.find(rep_id);
  return it == reps_.end() ? nullptr : &it->second;
}

bool RoutingPolicy::IsProtectedRejectReason(leadflow::common::v1::ReasonCode reason) const {
  const auto& p = rules_.protected_reject_reasons();
  return std::find(p.begin(), p.end(), reason) != p.end();
}

std::vector<std::string> RoutingPolicy::AllRepIds() const {
  std::vector<std::string> ids;
  for (const auto& team : rules_.teams()) {
    for (const auto& rep : team.reps()) ids.push_back(rep.rep_id());
  }
  return ids;
}

}  // namespace leadflow::routing
