#include "common/lifecycle/interruptible_sleep.h"

#include <algorithm>
#include <thread>

namespace leadflow::lifecycle {

bool SleepUnlessStopped(const std::atomic<bool>& stop, std::chrono::milliseconds duration,
                        std::chrono::milliseconds tick) {
  for (auto waited = std::chrono::milliseconds(0); waited < duration; waited += tick) {
    if (stop.load()) return false;
    std::this_thread::sleep_for(std::min(tick, duration - waited));
  }
  return !stop.load();
}

}  // namespace leadflow::lifecycle
