// leadflow-intake's wiring: the components, made on the runtime (which keeps
// them alive until the service stops), and the loops they serve.
#pragma once

#include "common/runtime/service_runtime.h"

namespace leadflow::intake {

// What leadflow-intake --help says: the service, its rule files and its variables.
extern const runtime::ServiceInfo kIntakeInfo;

// Loads intake.json and LEADFLOW_CONTACT_ID_KEY, makes the processor with its
// stores (dedupe claims, the registry view, the contact index, the coverage
// view), serves POST /v1/leads, IntakeService and PrivacyService, and adds the
// views (accounts.changes, accounts.contacts), the coverage gauge and the
// consumers (privacy.erasure, leads.submitted).
Status WireIntake(runtime::ServiceRuntime& rt);

}  // namespace leadflow::intake
