// Waiting in a background loop without delaying a shutdown.
#pragma once

#include <atomic>
#include <chrono>

namespace leadflow::lifecycle {

// Sleeps for `duration`, waking every `tick` to check `stop`; returns early
// (false) once `stop` is set, true after the whole duration. A stopping
// service therefore waits at most one tick for a loop that is backing off.
bool SleepUnlessStopped(const std::atomic<bool>& stop, std::chrono::milliseconds duration,
                        std::chrono::milliseconds tick = std::chrono::milliseconds(50));

}  // namespace leadflow::lifecycle
