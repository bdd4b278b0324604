// Fault 1 (fast): every service SIGKILLed in turn while a few hundred leads
// flow, restarted, and nothing is lost or duplicated.
#include "tests/faults/kill_restart.h"

namespace leadflow::faults {
namespace {

TEST(FaultKill, EachServiceKilledMidStreamLosesAndDuplicatesNothing) {
  RunKillRestart("kill-fast", 400, 60, {"intake", "scoring", "routing", "nurture"},
                 std::chrono::milliseconds(1200), std::chrono::seconds(90));
}

}  // namespace
}  // namespace leadflow::faults
