// The long fault tests: 10,000 leads, each service killed in turn. Skipped
// unless LEADFLOW_LONG_TESTS=1 (they take minutes):
//   LEADFLOW_LONG_TESTS=1 ctest -L long --output-on-failure
#include <cstdlib>

#include "tests/faults/kill_restart.h"

namespace leadflow::faults {
namespace {

bool LongTestsEnabled() {
  const char* v = std::getenv("LEADFLOW_LONG_TESTS");
  return v && std::string(v) == "1";
}

TEST(FaultLong, EachServiceKilledWhileTenThousandLeadsFlow) {
  if (!LongTestsEnabled()) GTEST_SKIP() << "set LEADFLOW_LONG_TESTS=1";
  RunKillRestart("kill-long", 10000, 250, {"intake", "scoring", "routing", "nurture"},
                 std::chrono::seconds(8), std::chrono::seconds(600));
}

}  // namespace
}  // namespace leadflow::faults
