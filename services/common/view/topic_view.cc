#include "common/view/topic_view.h"

#include <algorithm>
#include <random>

#include "common/kafka/dead_letter.h"
#include "common/lifecycle/interruptible_sleep.h"
#include "common/log/log.h"
#include "common/metrics/service_metrics.h"

namespace leadflow::view {
namespace {

constexpr metrics::ServiceMetrics::Family kViewReady{
    "view_ready",
    "1 when the view has caught up with its topic, else 0 (refusing lookups or rebuilding)."};

std::string FreshEpoch() {
  std::random_device rd;
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    uint32_t v = rd();
    for (int k = 0; k < 8; ++k, v >>= 4) out.push_back(kHex[v & 0xF]);
  }
  return out;
}

leadflow::common::v1::ReasonCode ReasonOf(const Status& s) {
  if (s.reason() != 0 && leadflow::common::v1::ReasonCode_IsValid(s.reason())) {
    return static_cast<leadflow::common::v1::ReasonCode>(s.reason());
  }
  return leadflow::common::v1::MALFORMED_PAYLOAD;
}

}  // namespace

TopicView::TopicView(std::unique_ptr<kafka::PartitionReader> reader, ViewStore& store,
                     kafka::Producer& producer, ApplyFn apply, SizeFn size,
                     metrics::ServiceMetrics* metrics, const Clock& clock,
                     TopicViewOptions options)
    : reader_(std::move(reader)),
      store_(store),
      producer_(producer),
      apply_(std::move(apply)),
      size_(std::move(size)),
      metrics_(metrics),
      clock_(clock),
      options_(options) {
  SetReady(false);
}

void TopicView::Run(const std::atomic<bool>& stop) {
  const char* cause = "start";
  int failures = 0;
  int64_t last_check_ms = 0;
  while (!stop.load()) {
    Status s;
    if (!started_) {
      s = Start(cause);
    } else {
      s = ApplyBatch(reader_->Poll(options_.max_batch, options_.poll_timeout));
      if (s.ok()) s = MaybeCaughtUp();
      if (s.ok() && clock_.NowMillis() - last_check_ms >= options_.check_every.count()) {
        last_check_ms = clock_.NowMillis();
        s = Check();
      }
    }
    if (s.ok()) {
      failures = 0;
      continue;
    }
    if (s.code() == StatusCode::kAborted) {
      log::Warn("view lost in Redis; rebuilding from the topic",
                {{"view", name()}, {"error", s.message()}});
      SetReady(false);
      started_ = false;
      cause = "reset";
      continue;
    }
    ++failures;
    if (metrics_) metrics_->Error("view");
    log::Warn("view update failed; will retry", {{"view", name()}, {"error", s.message()}});
    Backoff(stop, failures);
    if (started_ && !Reassign().ok()) started_ = false;
  }
  log::Info("view stopped", {{"view", name()}});
}

Status TopicView::Start(const char* cause) {
  auto opened = store_.Open(FreshEpoch());
  if (!opened.ok()) return opened.status();
  auto ends = reader_->EndOffsets();
  if (!ends.ok()) return ends.status();
  epoch_ = opened->epoch;
  next_ = opened->next;
  targets_ = *ends;
  if (Status s = Reassign(); !s.ok()) return s;
  started_ = true;
  SetReady(false);
  Rebuilt(cause);
  int64_t behind = 0;
  for (size_t p = 0; p < targets_.size(); ++p) {
    auto it = next_.find(static_cast<int32_t>(p));
    behind += std::max<int64_t>(0, targets_[p] - (it == next_.end() ? 0 : it->second));
  }
  log::Info(opened->created ? "view build started from the topic's beginning"
                            : "view resumed from its stored position",
            {{"view", name()}, {"partitions", std::to_string(targets_.size())},
             {"records_behind_at_most", std::to_string(behind)}});
  return Status::Ok();
}

Status TopicView::Reassign() {
  std::map<int32_t, int64_t> start;
  for (size_t p = 0; p < targets_.size(); ++p) {
    auto it = next_.find(static_cast<int32_t>(p));
    start[static_cast<int32_t>(p)] = it == next_.end() ? -1 : it->second;
  }
  return reader_->Assign(start);
}

Status TopicView::ApplyBatch(const std::vector<kafka::ConsumedMessage>& batch) {
  for (const auto& record : batch) {
    auto it = next_.find(record.partition);
    if (it != next_.end() && record.offset < it->second) continue;  // already applied
    Status s = apply_(epoch_, record);
    if (s.code() == StatusCode::kInvalidArgument) s = Skip(record, s);
    if (!s.ok()) return s;
    next_[record.partition] = record.offset + 1;
  }
  return Status::Ok();
}

Status TopicView::Skip(const kafka::ConsumedMessage& record, const Status& why) {
  producer_.Produce(kafka::ToDeadLetterMessage(kafka::MakeRejection(
      record, options_.stage, ReasonOf(why), why.message(), clock_.NowMillis())));
  if (Status f = producer_.Flush(std::chrono::seconds(10)); !f.ok()) {
    return Status::Unavailable("dead letter not delivered: " + f.message());
  }
  log::Warn("view record dead-lettered",
            {{"view", name()}, {"partition", std::to_string(record.partition)},
             {"offset", std::to_string(record.offset)}, {"error", why.message()}});
  return store_.Advance(epoch_, record.partition, record.offset + 1);
}

Status TopicView::MaybeCaughtUp() {
  if (ready_.load()) return Status::Ok();
  const auto reached = reader_->Reached();
  for (size_t p = 0; p < targets_.size(); ++p) {
    if (targets_[p] == 0) continue;
    const auto partition = static_cast<int32_t>(p);
    int64_t at = 0;
    if (auto it = next_.find(partition); it != next_.end()) at = it->second;
    if (auto it = reached.find(partition); it != reached.end()) at = std::max(at, it->second);
    if (at < targets_[p]) return Status::Ok();
  }
  auto marked = store_.MarkReady(epoch_);
  if (!marked.ok()) return marked.status();
  if (!*marked) return Status::Aborted("the view's epoch changed while it caught up");
  SetReady(true);
  log::Info("view caught up", {{"view", name()}});
  return Status::Ok();
}

Status TopicView::Check() {
  auto snap = store_.Read();
  if (!snap.ok()) return snap.status();
  if (!snap->epoch.has_value()) return Status::Aborted("the view's position is gone");
  if (*snap->epoch != epoch_) return Status::Aborted("the view has another epoch");
  if (ready_.load() && !snap->ready) return Status::Aborted("the view's ready marker is gone");
  // A failover to a replica that missed writes: positions behind ours.
  bool rolled_back = false;
  for (auto& [partition, next] : next_) {
    auto it = snap->next.find(partition);
    const int64_t stored = it == snap->next.end() ? 0 : it->second;
    if (stored < next) {
      next = stored;
      rolled_back = true;
    }
  }
  auto ends = reader_->EndOffsets();
  if (!ends.ok()) return ends.status();
  if (ends->size() != targets_.size()) {
    log::Info("view topic partitions changed", {{"view", name()},
                                                {"partitions", std::to_string(ends->size())}});
    targets_.resize(ends->size(), 0);
    rolled_back = true;  // assign the new partitions too
  }
  if (rolled_back) {
    Rebuilt("rollback");
    if (Status s = Reassign(); !s.ok()) return s;
  }
  if (metrics_) {
    const auto reached = reader_->Reached();
    int64_t lag = 0;
    for (size_t p = 0; p < ends->size(); ++p) {
      auto it = reached.find(static_cast<int32_t>(p));
      lag += std::max<int64_t>(0, (*ends)[p] - (it == reached.end() ? 0 : it->second));
    }
    metrics_->registry()
        .GetGauge(metrics_->Name("view_lag_records"),
                  "Records of the view's topic not yet applied to the view.", {{"view", name()}})
        .Set(static_cast<double>(lag));
    if (size_) {
      if (auto n = size_(); n.ok()) {
        metrics_->registry()
            .GetGauge(metrics_->Name("view_records"), "Entries in the view.", {{"view", name()}})
            .Set(static_cast<double>(*n));
      }
    }
  }
  return Status::Ok();
}

void TopicView::Backoff(const std::atomic<bool>& stop, int failures) {
  const auto backoff =
      std::chrono::milliseconds(std::min<int64_t>(5000, 100LL << std::min(failures, 6)));
  lifecycle::SleepUnlessStopped(stop, backoff);
}

void TopicView::SetReady(bool ready) {
  ready_ = ready;
  if (metrics_) {
    metrics_->GaugeOf(kViewReady, {{"view", name()}}).Set(ready ? 1 : 0);
  }
}

void TopicView::Rebuilt(const char* cause) {
  if (!metrics_) return;
  metrics_->registry()
      .GetCounter(metrics_->Name("view_rebuilds_total"),
                  "View (re)builds: start (process start), reset (Redis lost the view), "
                  "rollback (Redis went back to older positions).",
                  {{"view", name()}, {"cause", cause}})
      .Inc();
}

}  // namespace leadflow::view
