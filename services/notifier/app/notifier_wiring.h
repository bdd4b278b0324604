// The notifier's wiring (docs/notifier.md): the validated config, the
// webhook delivery and the consumer of the event table's topics, each kept
// alive by the runtime until the service has stopped.
#pragma once

#include "common/runtime/service_runtime.h"
#include "common/util/status.h"

namespace leadflow::notifier {

// What leadflow-notifier --help says: the service, its rule files and its variables.
extern const runtime::ServiceInfo kNotifierInfo;

// Loads notifier.json (secrets and URLs from the environment) and adds the
// consumer; an error names the config field.
Status WireNotifier(runtime::ServiceRuntime& rt);

}  // namespace leadflow::notifier
