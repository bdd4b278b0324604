#include "routing/app/funnel_reporter.h"

#include <chrono>

#include "common/lifecycle/interruptible_sleep.h"
#include "common/log/log.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;

FunnelReporter::FunnelReporter(std::shared_ptr<const RoutingPolicy> policy, CohortStore& store,
                               metrics::ServiceMetrics& metrics, const Clock& clock)
    : policy_(std::move(policy)), store_(store), metrics_(metrics), clock_(clock) {}

void FunnelReporter::Set(const std::string& name, const std::string& help,
                         const metrics::Labels& labels, double value, Series& now_reported) {
  const std::string full = metrics_.Name(name);
  metrics_.registry().GetGauge(full, help, labels).Set(value);
  now_reported.insert({full, labels});
}

Status FunnelReporter::Refresh() {
  const FunnelBands& bands = policy_->funnel();
  auto snap = store_.Read(clock_.NowMillis(), bands);
  if (!snap.ok()) return snap.status();
  Series now;
  SetBands(bands, now);
  SetCohorts(*snap, now);
  SetCompared(*snap, bands, now);
  SetWonDeals(*snap, bands, now);
  if (snap->unreadable_won_entries > 0) {
    log::Warn("won ledger entries not understood; skipped",
              {{"count", std::to_string(snap->unreadable_won_entries)}});
  }
  for (const auto& [name, labels] : reported_) {
    if (!now.count({name, labels})) metrics_.registry().RemoveGauge(name, labels);
  }
  reported_ = std::move(now);
  return Status::Ok();
}

void FunnelReporter::SetBands(const FunnelBands& bands, Series& now) {
  for (const auto& [band, pct] : {std::pair<const char*, double>{"weak", bands.weak_pct},
                                  {"average", bands.average_pct},
                                  {"excellent", bands.excellent_pct}}) {
    Set("conversion_band_ratio",
        "Lead-to-deal conversion bands from routing_rules.json funnel (weak below, average, "
        "excellent at or above)",
        {{"band", band}}, pct / 100, now);
  }
}

void FunnelReporter::SetCohorts(const FunnelSnapshot& snap, Series& now) {
  for (const auto& row : snap.cohorts) {
    if (row.leads == 0 && row.won == 0) continue;
    const metrics::Labels labels{{"cohort", MonthName(row.month)},
                                 {"segment", cv1::Segment_Name(row.segment)}};
    Set("cohort_leads", "Prospect leads of a submission cohort (month, UTC) and segment",
        labels, static_cast<double>(row.leads), now);
    Set("cohort_won_deals", "Deals won so far from a submission cohort's leads", labels,
        static_cast<double>(row.won), now);
    if (row.leads > 0) {
      Set("cohort_conversion_ratio",
          "Lead-to-deal conversion of a submission cohort: its won deals / its leads", labels,
          static_cast<double>(row.won) / static_cast<double>(row.leads), now);
    }
  }
}

void FunnelReporter::SetCompared(const FunnelSnapshot& snap, const FunnelBands& bands,
                                 Series& now) {
  for (const auto& [segment, pair] : snap.compared) {
    const std::string seg = cv1::Segment_Name(segment);
    const auto& [latest, previous] = pair;
    for (const auto& [which, counts] :
         {std::pair<const char*, const CohortCounts*>{"latest", &latest}, {"previous", &previous}}) {
      Set("cohort_compared_leads",
          "Leads of the two cohorts compared for volume (the newest at least "
          "funnel.compare_at_age_months old, and the one before)",
          {{"segment", seg}, {"cohort", which}}, static_cast<double>(counts->leads), now);
      Set("cohort_compared_conversion_ratio",
          "Conversion of the two compared cohorts, each by the deals won by the same age",
          {{"segment", seg}, {"cohort", which}}, counts->conversion(), now);
    }
    Set("cohort_volume_up_conversion_down",
        "1 when the newer compared cohort has funnel.volume_rise_pct more leads and a lower "
        "conversion at the same age",
        {{"segment", seg}}, VolumeUpConversionDown(latest, previous, bands) ? 1 : 0, now);
  }
}

void FunnelReporter::SetWonDeals(const FunnelSnapshot& snap, const FunnelBands& bands,
                                 Series& now) {
  const WonTotals totals = SumWonDeals(snap.won);
  for (const auto& [key, sum] : totals.by_source) {
    const metrics::Labels labels{{"marketing_sourced", key.marketing_sourced ? "true" : "false"},
                                 {"source", key.source.empty() ? "none" : key.source},
                                 {"campaign", key.campaign.empty() ? "none" : key.campaign}};
    Set("won_deals", "Deals won in the last 12 months by lead source and campaign", labels,
        static_cast<double>(sum.deals), now);
    Set("won_revenue_rub", "Revenue (RUB) of the deals won in the last 12 months by source and "
        "campaign", labels, static_cast<double>(sum.value_rub), now);
  }
  const char* share_help =
      "Marketing-sourced share of the deals (new clients) and revenue won in the last 12 months";
  Set("marketing_won_share_ratio", share_help, {{"measure", "new_clients"}},
      totals.marketing_deal_share(), now);
  Set("marketing_won_share_ratio", share_help, {{"measure", "revenue"}},
      totals.marketing_revenue_share(), now);
  const char* yardstick_help =
      "Marketing's yardstick from routing_rules.json funnel: up to this share of new clients, "
      "no more than this share of revenue";
  Set("marketing_yardstick_ratio", yardstick_help, {{"measure", "new_clients"}},
      bands.marketing_new_clients_pct / 100, now);
  Set("marketing_yardstick_ratio", yardstick_help, {{"measure", "revenue"}},
      bands.marketing_revenue_pct / 100, now);
}

void FunnelReporter::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    if (Status s = Refresh(); !s.ok()) {
      log::Warn("funnel gauges not refreshed", {{"error", s.message()}});
    }
    lifecycle::SleepUnlessStopped(stop, std::chrono::milliseconds(kRefreshMs),
                                  std::chrono::milliseconds(200));
  }
}

}  // namespace leadflow::routing
