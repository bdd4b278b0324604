// leadflow-scoring: composition root. Its --help text and its wiring: app/scoring_wiring.h.
#include "common/runtime/service_runtime.h"
#include "scoring/app/scoring_wiring.h"

int main(int argc, char** argv) {
  return leadflow::runtime::ServiceMain(leadflow::scoring::kScoringInfo, argc, argv,
                                        leadflow::scoring::WireScoring);
}
