#include "routing/domain/queue_order.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace leadflow::routing {

namespace cfg = leadflow::config::v1;

namespace {

// 16 hex digits that sort descending with `v` (highest value first): the
// IEEE-754 bits mapped to an order-preserving unsigned integer, inverted.
std::string DescendingDouble(double v) {
  if (std::isnan(v)) v = 0;
  if (v == 0) v = 0;  // -0 ranks as 0
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  bits = (bits & (uint64_t{1} << 63)) ? ~bits : bits | (uint64_t{1} << 63);
  bits = ~bits;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(bits));
  return buf;
}

// 3 digits that sort descending with a BANT product (0..999).
std::string DescendingProduct(int32_t product) {
  const int p = std::clamp<int32_t>(product, 0, 999);
  // Room for any int: without optimisation (the sanitizer build) GCC cannot
  // see the clamp and warns that "%03d" may be truncated.
  char buf[12];
  std::snprintf(buf, sizeof buf, "%03d", 999 - p);
  return buf;
}

}  // namespace

const cfg::QueueOrder& DefaultQueueOrder() {
  static const cfg::QueueOrder order = [] {
    cfg::QueueOrder o;
    o.add_by(cfg::QUEUE_RANK_BANT_PRODUCT);
    o.add_by(cfg::QUEUE_RANK_TOTAL_SCORE);
    return o;
  }();
  return order;
}

std::string QueueEntry(const cfg::QueueOrder& order,
                       const leadflow::scoring::v1::LeadScored& scored, int64_t queued_ms,
                       const std::string& lead_id) {
  std::string out;
  for (int key : order.by()) {
    switch (key) {
      case cfg::QUEUE_RANK_BANT_PRODUCT:
        out += DescendingProduct(scored.bant().product());
        break;
      case cfg::QUEUE_RANK_TOTAL_SCORE:
        out += DescendingDouble(scored.total_score());
        break;
      case cfg::QUEUE_RANK_FIT_SCORE:
        out += DescendingDouble(scored.fit_score());
        break;
      case cfg::QUEUE_RANK_ENGAGEMENT_SCORE:
        out += DescendingDouble(scored.engagement_score());
        break;
      default:
        break;  // refused by RoutingPolicy::Create
    }
  }
  char ms[21];
  std::snprintf(ms, sizeof ms, "%015lld", static_cast<long long>(std::max<int64_t>(queued_ms, 0)));
  out += ms;
  out += '|';
  out += lead_id;
  return out;
}

std::string QueueOrderName(const cfg::QueueOrder& order) {
  std::string out;
  for (int key : order.by()) {
    if (!out.empty()) out += ',';
    out += cfg::QueueRankKey_IsValid(key)
               ? cfg::QueueRankKey_Name(static_cast<cfg::QueueRankKey>(key))
               : std::to_string(key);
  }
  return out.empty() ? "fifo" : out;
}

std::string_view LeadIdOfQueueEntry(std::string_view entry) {
  const size_t bar = entry.find('|');
  return bar == std::string_view::npos ? entry : entry.substr(bar + 1);
}

}  // namespace leadflow::routing
