#include "routing/domain/team_match.h"

#include <algorithm>

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;

template <typename Repeated, typename T>
bool ContainsOrEmpty(const Repeated& list, const T& v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

void Record(leadflow::routing::v1::Decision* path, const std::string& rule, bool matched,
            const std::string& detail) {
  if (path == nullptr) return;
  auto* s = path->add_path();
  s->set_rule_id(rule);
  s->set_matched(matched);
  s->set_detail(detail);
}

// Why `rule` does not match the lead ("" when it does). The reason is only
// spelled out when someone records it.
std::string Mismatch(const leadflow::config::v1::TeamRule& rule,
                     const leadflow::scoring::v1::LeadScored& scored, bool explain) {
  const auto& lead = scored.lead();
  if (!ContainsOrEmpty(rule.segments(), scored.segment())) {
    return explain ? "segment " + cv1::Segment_Name(scored.segment()) + " not listed" : "-";
  }
  if (!ContainsOrEmpty(rule.deal_bands(), scored.deal_band())) {
    return explain ? "deal band " + cv1::DealBand_Name(scored.deal_band()) + " not listed" : "-";
  }
  if (!rule.region_prefixes().empty() &&
      std::none_of(
          rule.region_prefixes().begin(), rule.region_prefixes().end(),
          [&](const std::string& p) { return lead.company().region().rfind(p, 0) == 0; })) {
    return explain ? "region \"" + lead.company().region() + "\" matches no prefix" : "-";
  }
  if (rule.sales_channel() != cv1::SALES_CHANNEL_UNSPECIFIED &&
      rule.sales_channel() != lead.sales_channel()) {
    return explain ? "channel " + cv1::SalesChannel_Name(lead.sales_channel()) + " is not " +
                         cv1::SalesChannel_Name(rule.sales_channel())
                   : "-";
  }
  return "";
}

}  // namespace

std::string MatchTeam(const RoutingPolicy& policy, const leadflow::scoring::v1::LeadScored& scored,
                      leadflow::routing::v1::Decision* path) {
  for (const auto& rule : policy.rules().team_rules()) {
    const std::string why = Mismatch(rule, scored, path != nullptr);
    if (why.empty()) {
      if (path != nullptr) Record(path, rule.rule_id(), true, "team " + rule.team_id());
      return rule.team_id();
    }
    Record(path, rule.rule_id(), false, why);
  }
  if (path != nullptr) Record(path, "team.default", true, "team " + policy.rules().default_team());
  return policy.rules().default_team();
}

std::optional<std::string> MatchLargeDeal(const RoutingPolicy& policy,
                                          const leadflow::scoring::v1::LeadScored& scored,
                                          leadflow::routing::v1::Decision* path) {
  const auto& rule = policy.rules().large_deal();
  if (rule.min_expected_deal_rub() <= 0) return std::nullopt;
  const int64_t deal = scored.lead().expected_deal_rub();
  const std::string amounts = "expected deal " + std::to_string(deal) + " RUB";
  const std::string threshold = std::to_string(rule.min_expected_deal_rub()) + " RUB";
  if (deal < rule.min_expected_deal_rub()) {
    Record(path, "order.large_deal", false, amounts + " < " + threshold);
    return std::nullopt;
  }
  const auto& yields = rule.yield_to_team_rules();
  for (const auto& team_rule : policy.rules().team_rules()) {
    if (std::find(yields.begin(), yields.end(), team_rule.rule_id()) == yields.end()) continue;
    if (!Mismatch(team_rule, scored, false).empty()) continue;
    Record(path, "order.large_deal", true,
           amounts + " >= " + threshold + ", whatever the score; " + team_rule.rule_id() +
               " takes precedence");
    Record(path, team_rule.rule_id(), true, "team " + team_rule.team_id());
    return team_rule.team_id();
  }
  Record(path, "order.large_deal", true,
         amounts + " >= " + threshold + ", whatever the score: team " + rule.team_id());
  return rule.team_id();
}

}  // namespace leadflow::routing
