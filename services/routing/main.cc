// leadflow-routing: composition root (the wiring: app/routing_wiring.h).
#include "common/runtime/service_runtime.h"
#include "routing/app/routing_wiring.h"

namespace {

const leadflow::runtime::ServiceInfo kInfo{
    "routing",
    "Routes scored leads: customers to their account owner (accounts.inbound), named accounts "
    "to the named owner, qualified prospects to a team and rep by weighted round robin within "
    "capacity (leads.assigned), everything else to nurture (leads.nurture). Disqualified leads "
    "are recorded on leads.rejected. Queued leads are assigned as capacity frees; assignments "
    "not accepted within the team SLA (business minutes, paused on holidays and out-of-office "
    "windows) are re-assigned. Sales feedback arrives on sales.feedback and over gRPC; "
    "out-of-office windows on reps.out-of-office and over gRPC.",
    "Config: routing_rules.json (leadflow.config.v1.RoutingRules: teams, reps, team rules,\n"
    "  holiday calendars, scheduler settings).\n"
    "Time zones: TZif files from $TZDIR or /usr/share/zoneinfo.\n"
    "Demos and e2e tests only:\n"
    "  LEADFLOW_ROUTING_STAGE_TIME_SCALE  deal-stage time per real time (default 1): every\n"
    "                                     max_time_in_stage is divided by it\n"
    "  LEADFLOW_ROUTING_SLA_TIME_SCALE    SLA time per real time (default 1): the SLA\n"
    "                                     business minutes and the SLA ladder's share and\n"
    "                                     grace are divided by it\n"};

}  // namespace

int main(int argc, char** argv) {
  return leadflow::runtime::ServiceMain(kInfo, argc, argv, leadflow::routing::WireRouting);
}
