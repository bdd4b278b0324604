// leadflow-nurture: composition root.
#include "common/runtime/service_runtime.h"
#include "nurture/app/nurture_wiring.h"

namespace {

const leadflow::runtime::ServiceInfo kInfo{
    "nurture",
    "Runs audience-specific nurture tracks: prospects from leads.nurture, customers from "
    "accounts.inbound. Before every touch it re-checks the contact's current relationship in its "
    "registry view (accounts.changes): a prospect who became a customer moves to a customer "
    "track, and customers never get prospect touches. Touches go to nurture.touches (exactly once "
    "per touch id); customer touches also notify the account owner on accounts.notifications. "
    "Exits on leads.assigned, engagement.events (reply, meeting, unsubscribe, consent withdrawn) "
    "and sales.feedback (accept); a customer's reply, meeting or questionnaire answer is told to "
    "the owner on accounts.notifications, and so is a customer account known as a single contact "
    "(at most once in 90 days). Proactive programmes enrol the registry's CUSTOMER "
    "accounts on a yearly schedule (the satisfaction audit, personal updates).",
    "Config: nurture.json (leadflow.config.v1.NurtureConfig: catalogue, campaigns, tracks, caps,\n"
    "  quiet hours, max event share, customer opt-in topics, programmes).\n"
    "  LEADFLOW_NURTURE_TIME_SCALE      schedule time per real time (default 1; demos and tests)\n"
    "  LEADFLOW_NURTURE_TIME_ORIGIN_MS  real epoch ms from which schedule time is scaled\n"
    "  LEADFLOW_NURTURE_TIME_START_MS   schedule epoch ms at that origin (default: the origin)\n"
    "  LEADFLOW_INSTANCE_ID also names the holder of the scheduler lease: one replica at a time\n"
    "  sends touches; keep it stable per replica (e.g. the pod name) so a restart resumes at "
    "once.\n"};

}  // namespace

int main(int argc, char** argv) {
  return leadflow::runtime::ServiceMain(kInfo, argc, argv, leadflow::nurture::WireNurture);
}
