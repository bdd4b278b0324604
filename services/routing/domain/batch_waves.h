// The order in which routing handles one consumer batch of leads.scored: in
// waves. The app reads the state of a wave's leads in one request, decides
// them in batch order on that snapshot (counting each claim it plans, so the
// next lead of the wave sees it) and claims them all in one pipelined request.
//
// A wave holds each lead id at most once: a second message of the same lead
// (a redelivery, or a rescore) waits for a later wave, when its twin's
// decision is recorded, and is handled exactly as if it had come after it: it
// re-emits that decision (or re-routes a rescore after nurture) and never
// claims twice. A lead whose claim was refused for capacity (another replica
// or the scheduler took the rep's last slot meanwhile) is decided again in
// the next wave, on fresh state, at most `max_attempts` times in all, as the
// one-message handler did.
//
// Pure; not thread-safe (one per batch).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace leadflow::routing {

class BatchWaves {
 public:
  // One lead id per message to route, in batch order.
  BatchWaves(std::vector<std::string> lead_ids, int max_attempts);

  // The messages of the next wave, in batch order: every unfinished message
  // whose lead id has no earlier unfinished message. Empty when all are
  // finished. Each must be Finish()ed or Retry()ed before the next call.
  std::vector<size_t> NextWave() const;

  void Finish(size_t i) { finished_[i] = true; }
  bool finished(size_t i) const { return finished_[i]; }
  // The message's claim was refused for capacity: decide it again in the next
  // wave. False when it has used up its attempts (it is then finished).
  bool Retry(size_t i);
  // Claims refused so far: > 0 means the message was decided before.
  int refused(size_t i) const { return refused_[i]; }
  bool done() const;

 private:
  std::vector<std::string> ids_;
  std::vector<bool> finished_;
  std::vector<int> refused_;
  int max_attempts_;
};

}  // namespace leadflow::routing
