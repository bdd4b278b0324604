// leadflow-routing: composition root. Its --help text and its wiring: app/routing_wiring.h.
#include "common/runtime/service_runtime.h"
#include "routing/app/routing_wiring.h"

int main(int argc, char** argv) {
  return leadflow::runtime::ServiceMain(leadflow::routing::kRoutingInfo, argc, argv,
                                        leadflow::routing::WireRouting);
}
