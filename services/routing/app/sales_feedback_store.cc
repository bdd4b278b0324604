#include "routing/app/sales_feedback_store.h"

#include <cstdlib>
#include <iterator>
#include <utility>

#include "common/redis/reply.h"
#include "common/redis/embedded_script.h"
#include "routing/app/routing_keys.h"
#include "sales_feedback_apply.lua.h"

namespace leadflow::routing {
namespace {

// The apply script's arguments (sales_feedback_apply.lua names each).
std::vector<std::string> ApplyArgs(const FeedbackChange& c) {
  const FeedbackRecord& w = c.write;
  return {c.lead_id, c.kind, c.rep_id, c.detail, c.expected_raw, w.new_record,
          std::to_string(w.new_record_ttl_seconds), std::to_string(w.feedback_ttl_seconds),
          c.expected_tags.last, c.expected_tags.accepted_by, std::to_string(c.version),
          std::to_string(c.expected_tags.version),
          // stage
          w.stage, std::to_string(w.value_rub), std::to_string(w.win_probability_pct),
          w.previous_stage, std::to_string(w.ms_in_previous_stage), std::to_string(w.stage_version),
          std::to_string(w.stall_due_ms),
          // close WON
          w.won_entry, std::to_string(w.won_expires_at), w.won_cohort.empty() ? "0" : "1",
          std::to_string(w.won_at_ms), std::to_string(w.cohort_expires_at)};
}

// The fields of FeedbackTags, in the order ParseFeedbackTags reads them.
constexpr const char* kTagFields[] = {"last",         "accepted_by", "reject",    "close", "ver",
                                      "accepted_ver", "stage",       "stage_ver", "value", "p",
                                      "from",         "from_ms",     "stalled"};

redis::Command FeedbackTagsCommand(const std::string& lead_id) {
  redis::Command hmget{"HMGET", FeedbackKey(lead_id)};
  hmget.insert(hmget.end(), std::begin(kTagFields), std::end(kTagFields));
  return hmget;
}

StatusOr<FeedbackTags> ParseFeedbackTags(const redis::Reply& r) {
  if (Status s = redis::ExpectArray(r, std::size(kTagFields), "HMGET fb"); !s.ok()) return s;
  auto str = [&](size_t i) { return r.elements[i].is_nil() ? std::string() : r.elements[i].str; };
  auto num = [&](size_t i) -> int64_t {
    const std::string v = str(i);
    return v.empty() ? 0 : std::strtoll(v.c_str(), nullptr, 10);
  };
  FeedbackTags t;
  t.last = str(0);
  t.accepted_by = str(1);
  t.reject = str(2);
  t.close = str(3);
  t.version = num(4);
  t.accepted_version = num(5);
  t.stage = str(6);
  t.stage_version = num(7);
  t.value_rub = num(8);
  t.win_probability_pct = static_cast<int>(num(9));
  t.previous_stage = str(10);
  t.ms_in_previous_stage = num(11);
  t.stalled_version = num(12);
  return t;
}

}  // namespace

StatusOr<FeedbackApplied> SalesFeedbackStore::Apply(const FeedbackChange& c) {
  const FeedbackRecord& w = c.write;
  const std::string state = RoutingStateKey();
  auto r = redis_.Eval(redis::EmbeddedScript<leadflow::lua::kSalesFeedbackApply>(),
                       {OpenSetKey(c.rep_id), OpenLeadsKey(c.rep_id), SlaTimersKey(),
                        FeedbackKey(c.lead_id), DecisionKey(c.lead_id), state, StallTimersKey(),
                        w.won_entry.empty() ? state : WonLedgerKey(w.won_month),
                        w.won_cohort.empty() ? state : CohortWonKey(w.won_cohort)},
                       ApplyArgs(c));
  if (!r.ok()) return r.status();
  if (Status s = redis::ExpectArray(*r, 3, "feedback script"); !s.ok()) return s;
  FeedbackApplied out;
  out.open_after = r->elements[1].integer;
  out.replaced = r->elements[2].integer == 1;
  switch (r->elements[0].integer) {
    case 1:
      out.outcome = FeedbackApply::kApplied;
      break;
    case 3:
      out.outcome = FeedbackApply::kChanged;
      break;
    default:
      out.outcome = FeedbackApply::kNotOpen;
  }
  return out;
}

StatusOr<std::vector<std::string>> SalesFeedbackStore::LastFeedbacks(
    const std::vector<std::string>& lead_ids) {
  std::vector<redis::Command> cmds;
  cmds.reserve(lead_ids.size());
  for (const auto& id : lead_ids) cmds.push_back({"HGET", FeedbackKey(id), "last"});
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  out.reserve(lead_ids.size());
  for (const auto& reply : *r) {
    auto last = redis::ExpectStringOrNil(reply, "HGET fb");
    if (!last.ok()) return last.status();
    out.push_back(last->value_or(std::string()));
  }
  return out;
}

StatusOr<FeedbackTags> SalesFeedbackStore::Tags(const std::string& lead_id) {
  auto r = redis_.Run(FeedbackTagsCommand(lead_id));
  if (!r.ok()) return r.status();
  return ParseFeedbackTags(*r);
}

StatusOr<std::vector<FeedbackTags>> SalesFeedbackStore::TagsMany(
    const std::vector<std::string>& lead_ids) {
  if (lead_ids.empty()) return std::vector<FeedbackTags>{};
  std::vector<redis::Command> cmds;
  cmds.reserve(lead_ids.size());
  for (const auto& id : lead_ids) cmds.push_back(FeedbackTagsCommand(id));
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  std::vector<FeedbackTags> out;
  out.reserve(lead_ids.size());
  for (const auto& reply : *r) {
    auto t = ParseFeedbackTags(reply);
    if (!t.ok()) return t.status();
    out.push_back(std::move(*t));
  }
  return out;
}

}  // namespace leadflow::routing
