// leadflow-nurture: composition root. Its --help text and its wiring: app/nurture_wiring.h.
#include "common/runtime/service_runtime.h"
#include "nurture/app/nurture_wiring.h"

int main(int argc, char** argv) {
  return leadflow::runtime::ServiceMain(leadflow::nurture::kNurtureInfo, argc, argv,
                                        leadflow::nurture::WireNurture);
}
