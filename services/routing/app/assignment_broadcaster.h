// Fans what this instance changes about leads out to WatchAssignments
// streams: new LeadAssigned decisions, and records of accepted, rejected or
// closed leads with their LeadChange set.
//
// Each subscriber has a bounded queue: when a slow reader falls `queue_limit`
// events behind, the oldest are dropped (counted in dropped()) rather than
// blocking the consumer loop. Close() wakes and ends every subscriber; after
// it, Subscribe() returns closed subscriptions. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::routing {

class AssignmentBroadcaster {
 public:
  class Subscription {
   public:
    enum class Next { kItem, kTimeout, kClosed };
    // Waits up to `timeout` for the next event.
    Next Pop(std::chrono::milliseconds timeout, leadflow::routing::v1::LeadAssigned* out);
    uint64_t dropped() const;

   private:
    friend class AssignmentBroadcaster;
    std::string rep_id_, team_;
    size_t limit_ = 0;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<leadflow::routing::v1::LeadAssigned> queue_;
    bool closed_ = false;
    uint64_t dropped_ = 0;
  };

  explicit AssignmentBroadcaster(size_t queue_limit = 256) : limit_(queue_limit) {}

  // Events whose decision matches rep_id (if set) and team (if set); a
  // re-assignment (REASSIGNED) also matches the rep_id of its previous_reps.
  std::shared_ptr<Subscription> Subscribe(const std::string& rep_id, const std::string& team);
  void Unsubscribe(const std::shared_ptr<Subscription>& sub);
  void Publish(const leadflow::routing::v1::LeadAssigned& event);
  void Close();
  size_t subscribers() const;

 private:
  size_t limit_;
  mutable std::mutex mu_;
  bool closed_ = false;
  std::vector<std::shared_ptr<Subscription>> subs_;
};

}  // namespace leadflow::routing
