#include "nurture/app/touch_recovery.h"

#include <set>

#include "common/log/log.h"
#include "nurture/app/account_notifications.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;

StatusOr<int> TouchRecovery::Recover() {
  auto inflight = store_.touches().InFlight();
  if (!inflight.ok()) return inflight.status();
  if (inflight->empty()) return 0;
  std::set<std::string> pending;
  for (const auto& [id, due] : *inflight) pending.insert(id);
  std::set<std::string> in_log;
  std::vector<nv1::Touch> customer_touches;
  if (scan_) {
    Status s = scan_([&](const kafka::ConsumedMessage& m) {
      nv1::Touch t;
      if (t.ParseFromString(m.payload) && pending.count(t.touch_id()) > 0 &&
          in_log.insert(t.touch_id()).second && t.audience() == cv1::CUSTOMER) {
        customer_touches.push_back(t);
      }
    });
    if (!s.ok()) return s;
  }
  // The owner's notification may not have made it: send it again (owners'
  // tools dedupe by touch id).
  for (const auto& t : customer_touches) {
    auto account = registry_.Get(t.account_key());
    if (!account.ok()) return account.status();
    if (Status s = producer_.Produce(TouchSentNotification(t, *account)); !s.ok()) return s;
  }
  if (!customer_touches.empty()) {
    if (Status s = producer_.Flush(std::chrono::seconds(10)); !s.ok()) return s;
  } else {
    log::Warn("no touch log to recover against: in-flight touches are re-sent");
  }
  const int64_t now_ms = clock_.NowMillis();
  int resolved = 0;
  for (const auto& [id, due] : *inflight) {
    auto sent = store_.touches().IsSent(id);
    if (!sent.ok()) return sent.status();
    if (*sent || in_log.count(id) > 0) {
      if (Status s = finisher_.FinishTouch(id, true, now_ms); !s.ok()) return s;
    } else {
      if (Status s = store_.touches().Release(id, due); !s.ok()) return s;
    }
    ++resolved;
  }
  log::Info("recovered in-flight touches", {{"resolved", std::to_string(resolved)},
                                            {"already_sent", std::to_string(in_log.size())}});
  return resolved;
}

}  // namespace leadflow::nurture
