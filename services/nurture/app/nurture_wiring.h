// leadflow-nurture's wiring: the components, made on the runtime (which keeps
// them alive until the service stops), and the loops they serve.
#pragma once

#include "common/runtime/service_runtime.h"

namespace leadflow::nurture {

// What leadflow-nurture --help says: the service, its rule files and its variables.
extern const runtime::ServiceInfo kNurtureInfo;

// Loads nurture.json, makes the stores, the registry view, the engine and
// the gRPC service, and adds the consumers (main, exits, privacy), the
// accounts.changes view and the scheduler.
Status WireNurture(runtime::ServiceRuntime& rt);

}  // namespace leadflow::nurture
