// leadflow-routing's wiring: the components, made on the runtime (which keeps
// them alive until the service stops), and the loops they serve.
#pragma once

#include "common/runtime/service_runtime.h"

namespace leadflow::routing {

// What leadflow-routing --help says: the service, its rule files and its variables.
extern const runtime::ServiceInfo kRoutingInfo;

// Loads routing_rules.json (with the demo time scales), makes the stores, the
// engine, the scheduler, the feedback and out-of-office processors, the gRPC
// services, the funnel reporter and the state rebuild, and adds the consumers
// (main, feedback, out-of-office, privacy) and the background tasks.
Status WireRouting(runtime::ServiceRuntime& rt);

}  // namespace leadflow::routing
