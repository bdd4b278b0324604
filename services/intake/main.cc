// leadflow-intake: composition root. Its --help text and its wiring: app/intake_wiring.h.
#include "common/runtime/service_runtime.h"
#include "intake/app/intake_wiring.h"

int main(int argc, char** argv) {
  return leadflow::runtime::ServiceMain(leadflow::intake::kIntakeInfo, argc, argv,
                                        leadflow::intake::WireIntake);
}
