#include "routing/app/assignment_broadcaster.h"

#include <algorithm>

namespace leadflow::routing {

AssignmentBroadcaster::Subscription::Next AssignmentBroadcaster::Subscription::Pop(
    std::chrono::milliseconds timeout, leadflow::routing::v1::LeadAssigned* out) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return closed_ || !queue_.empty(); });
  if (!queue_.empty()) {
    *out = std::move(queue_.front());
    queue_.pop_front();
    return Next::kItem;
  }
  return closed_ ? Next::kClosed : Next::kTimeout;
}

uint64_t AssignmentBroadcaster::Subscription::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

std::shared_ptr<AssignmentBroadcaster::Subscription> AssignmentBroadcaster::Subscribe(
    const std::string& rep_id, const std::string& team) {
  auto sub = std::make_shared<Subscription>();
  sub->rep_id_ = rep_id;
  sub->team_ = team;
  sub->limit_ = limit_;
  std::lock_guard lock(mu_);
  if (closed_) {
    sub->closed_ = true;
  } else {
    subs_.push_back(sub);
  }
  return sub;
}

void AssignmentBroadcaster::Unsubscribe(const std::shared_ptr<Subscription>& sub) {
  std::lock_guard lock(mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), sub), subs_.end());
}

void AssignmentBroadcaster::Publish(const leadflow::routing::v1::LeadAssigned& event) {
  std::lock_guard lock(mu_);
  for (auto& sub : subs_) {
    // A re-assignment also goes to the reps it was taken from.
    if (!sub->rep_id_.empty() && sub->rep_id_ != event.decision().rep_id() &&
        !(event.decision().outcome() == leadflow::routing::v1::REASSIGNED &&
          std::find(event.previous_reps().begin(), event.previous_reps().end(), sub->rep_id_) !=
              event.previous_reps().end())) {
      continue;
    }
    if (!sub->team_.empty() && sub->team_ != event.decision().team()) continue;
    {
      std::lock_guard sl(sub->mu_);
      if (sub->queue_.size() >= sub->limit_) {
        sub->queue_.pop_front();
        ++sub->dropped_;
      }
      sub->queue_.push_back(event);
    }
    sub->cv_.notify_one();
  }
}

void AssignmentBroadcaster::Close() {
  std::vector<std::shared_ptr<Subscription>> subs;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    subs.swap(subs_);
  }
  for (auto& sub : subs) {
    {
      std::lock_guard sl(sub->mu_);
      sub->closed_ = true;
    }
    sub->cv_.notify_all();
  }
}

size_t AssignmentBroadcaster::subscribers() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

}  // namespace leadflow::routing
