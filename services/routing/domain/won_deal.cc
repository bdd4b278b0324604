#include "routing/domain/won_deal.h"

#include <charconv>

#include "routing/domain/cohort.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;

namespace {

std::string Field(std::string s) {
  for (char& c : s) {
    if (c == '|') c = '_';
  }
  return s;
}

template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

int64_t WonValueRub(int64_t close_value_rub, int64_t stage_value_rub, int64_t expected_deal_rub) {
  if (close_value_rub > 0) return close_value_rub;
  if (stage_value_rub > 0) return stage_value_rub;
  return expected_deal_rub > 0 ? expected_deal_rub : 0;
}

WonDeal WonDealOf(const leadflow::scoring::v1::LeadScored& scored, int64_t value_rub) {
  const auto& meta = scored.lead().meta();
  WonDeal d;
  d.marketing_sourced = meta.marketing_sourced();
  d.source = meta.source_id();
  d.campaign = meta.campaign_id();
  d.segment = scored.segment();
  d.value_rub = value_rub;
  return d;
}

WonRecord WonRecordOf(const leadflow::scoring::v1::LeadScored& scored, int64_t stage_value_rub,
                      int64_t won_at_ms) {
  WonRecord r;
  const MonthIndex month = MonthIndexOf(won_at_ms);
  r.entry = EncodeWonDeal(
      WonDealOf(scored, WonValueRub(0, stage_value_rub, scored.lead().expected_deal_rub())));
  r.month = MonthName(month);
  r.ledger_expires_at = MonthStartMs(month + kWonWindowMonths) / 1000;
  r.won_at_ms = won_at_ms;
  if (const auto cohort = CohortOf(scored)) {
    r.cohort = cohort->Name();
    r.cohort_expires_at = CohortExpiresAtSeconds(cohort->month);
  }
  return r;
}

std::string EncodeWonDeal(const WonDeal& d) {
  return std::string(d.marketing_sourced ? "1" : "0") + "|" + Field(d.source) + "|" +
         Field(d.campaign) + "|" + std::to_string(static_cast<int>(d.segment)) + "|" +
         std::to_string(d.value_rub);
}

std::optional<WonDeal> DecodeWonDeal(std::string_view entry) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= entry.size(); ++i) {
    if (i == entry.size() || entry[i] == '|') {
      parts.push_back(entry.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 5 || (parts[0] != "0" && parts[0] != "1")) return std::nullopt;
  WonDeal d;
  d.marketing_sourced = parts[0] == "1";
  d.source = std::string(parts[1]);
  d.campaign = std::string(parts[2]);
  int segment = 0;
  if (!ParseNumber(parts[3], segment) || !cv1::Segment_IsValid(segment)) return std::nullopt;
  d.segment = static_cast<cv1::Segment>(segment);
  if (!ParseNumber(parts[4], d.value_rub) || d.value_rub < 0) return std::nullopt;
  return d;
}

double WonTotals::marketing_deal_share() const {
  return all.deals > 0 ? static_cast<double>(marketing.deals) / all.deals : 0;
}

double WonTotals::marketing_revenue_share() const {
  return all.value_rub > 0 ? static_cast<double>(marketing.value_rub) / all.value_rub : 0;
}

WonTotals SumWonDeals(const std::vector<WonDeal>& deals) {
  WonTotals t;
  for (const auto& d : deals) {
    auto& s = t.by_source[{d.marketing_sourced, d.source, d.campaign}];
    for (auto* sum : {&s, &t.all}) {
      sum->deals += 1;
      sum->value_rub += d.value_rub;
    }
    if (d.marketing_sourced) {
      t.marketing.deals += 1;
      t.marketing.value_rub += d.value_rub;
    }
  }
  return t;
}

}  // namespace leadflow::routing
