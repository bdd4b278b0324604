// What one WatchAssignments stream has sent (routing_grpc_service.h): the
// last change per lead it still follows, and the recently finished leads
// (rejected, closed, taken away), so that a late or repeated copy of a change
// is not sent again and an older change never follows a newer one.
//
// Pure; one per stream; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::routing {

class WatchedLeads {
 public:
  // How many finished leads are remembered (against late duplicates).
  static constexpr size_t kFinishedRemembered = 4096;

  // True when `c` is news for the stream: it has a state, its lead is not
  // finished, and it is newer than (or, at the same version, differs from)
  // the last change sent. Records it as sent then.
  bool ShouldSend(const leadflow::routing::v1::LeadChange& c);
  // The followed leads not in `seen` (open sets just read), queued ones aside:
  // their fate must be read lead by lead.
  std::vector<std::string> Gone(const std::set<std::string>& seen) const;
  // Stops following a lead (expired, erased, or nothing more to say).
  void Forget(const std::string& lead_id) { followed_.erase(lead_id); }

 private:
  struct Sent {
    leadflow::routing::v1::SalesState state;
    int64_t version;
    std::string rep;
  };
  void Finish(const leadflow::routing::v1::LeadChange& c);

  std::map<std::string, Sent> followed_;
  std::set<std::string> finished_;
  std::deque<std::string> finished_order_;
};

}  // namespace leadflow::routing
