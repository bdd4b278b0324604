// leadflow-intake: composition root (the wiring: app/intake_wiring.h).
#include "common/runtime/service_runtime.h"
#include "intake/app/intake_wiring.h"

namespace {

const leadflow::runtime::ServiceInfo kInfo{
    "intake",
    "Accepts lead submissions over gRPC (IntakeService.SubmitLead), HTTP (POST /v1/leads) and "
    "the leads.submitted topic; validates, normalises and dedupes them, classifies each as "
    "CUSTOMER or PROSPECT against the accounts registry, attaches the account's buying-committee "
    "coverage, and publishes LeadAccepted on leads.accepted (and the lead's contact at its account "
    "on accounts.contacts, read back as the coverage's view). Invalid input goes to "
    "leads.rejected; repeats become FORM_RESUBMITTED "
    "engagement events. PrivacyService.EraseContact publishes privacy.erasure; the privacy "
    "consumer erases a contact's dedupe claims.",
    "Config: intake.json (leadflow.config.v1.IntakeConfig: free-mail domains, title and intent "
    "rules, limits, dedupe window, sources with hashed API keys and rate limits).\n"
    "API keys: gRPC metadata or HTTP header \"x-api-key\" (or \"authorization: Bearer\").\n"
    "  LEADFLOW_CONTACT_ID_KEY   required: secret of at least 32 bytes that keys contact ids\n"
    "                            (HMAC-SHA-256; e.g. openssl rand -hex 32; from a Secret)\n"};

}  // namespace

int main(int argc, char** argv) {
  return leadflow::runtime::ServiceMain(kInfo, argc, argv, leadflow::intake::WireIntake);
}
