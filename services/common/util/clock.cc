#include "common/util/clock.h"

namespace leadflow {

const Clock& SystemClock::Instance() {
  static const SystemClock* clock = new SystemClock();
  return *clock;
}

}  // namespace leadflow
