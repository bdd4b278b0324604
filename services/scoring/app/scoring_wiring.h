// leadflow-scoring's wiring: the components, made on the runtime (which keeps
// them alive until the service stops), and the loops they serve.
#pragma once

#include "common/runtime/service_runtime.h"

namespace leadflow::scoring {

// What leadflow-scoring --help says: the service, its rule files and its variables.
extern const runtime::ServiceInfo kScoringInfo;

// Loads scoring_model.json (and watches it for changes), makes the score and
// engagement stores, the handlers, ScoringService.Explain and the consent
// gates, and adds the consumers (leads.accepted, privacy.erasure,
// engagement.events).
Status WireScoring(runtime::ServiceRuntime& rt);

}  // namespace leadflow::scoring
