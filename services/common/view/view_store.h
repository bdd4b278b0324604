// The Redis side of a materialised view's bookkeeping: its epoch, its
// position in the topic (stored with the data, see view_keys.h) and its ready
// marker. The view's data itself is written by the view's own store (e.g.
// AccountRegistry), whose scripts check the epoch and move the position in the
// same atomic step.
//
// Thread-safe as far as redis::Client is. Redis failures and error replies
// come back as kUnavailable.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/redis/client.h"
#include "common/view/view_keys.h"

namespace leadflow::view {

class ViewStore {
 public:
  ViewStore(redis::Client& redis, ViewKeys keys);

  const ViewKeys& keys() const { return keys_; }

  struct Opened {
    std::string epoch;
    bool created = false;              // a new build from the topic's beginning
    std::map<int32_t, int64_t> next;   // partition -> next offset to apply
  };
  // The view's epoch and positions, beginning a new epoch with `fresh_epoch`
  // when Redis holds none (view_open.lua).
  StatusOr<Opened> Open(const std::string& fresh_epoch);

  // Sets the ready marker if the view is still at `epoch` (view_mark_ready.lua).
  // False: Redis was reset meanwhile.
  StatusOr<bool> MarkReady(const std::string& epoch);

  // Moves a partition's position past a skipped record (view_advance.lua).
  // kAborted when the view is no longer at `epoch`.
  Status Advance(const std::string& epoch, int32_t partition, int64_t next_offset);

  struct Snapshot {
    std::optional<std::string> epoch;  // none: Redis lost the view
    bool ready = false;
    std::map<int32_t, int64_t> next;
  };
  // The bookkeeping as Redis holds it now (one round trip).
  StatusOr<Snapshot> Read();

 private:
  redis::Client& redis_;
  ViewKeys keys_;
  redis::Script open_;
  redis::Script mark_ready_;
  redis::Script advance_;
};

}  // namespace leadflow::view
