// leadflow-scoring: composition root (the wiring: app/scoring_wiring.h).
#include "common/runtime/service_runtime.h"
#include "scoring/app/scoring_wiring.h"

namespace {

const leadflow::runtime::ServiceInfo kInfo{
    "scoring",
    "Scores accepted leads (leads.accepted): screening, segment, deal band, named accounts, "
    "BANT (1..625), fit and decaying engagement, grade and lifecycle (MQL / LEAD / "
    "DISQUALIFIED), with per-rule contributions and the model version; publishes LeadScored on "
    "leads.scored. Rescores a contact's lead on every engagement.events record (revision + 1), "
    "which can promote it to MQL. ScoringService.Explain answers \"why is this (not) an MQL\", "
    "also against a candidate model. The model file is hot-reloaded when it changes.",
    "Config: scoring_model.json (leadflow.config.v1.ScoringModel); re-read on change, a bad\n"
    "  file is refused and the running model kept.\n"
    "  LEADFLOW_SCORING_MODEL_POLL_MS   model file poll interval (default 2000)\n"};

}  // namespace

int main(int argc, char** argv) {
  return leadflow::runtime::ServiceMain(kInfo, argc, argv, leadflow::scoring::WireScoring);
}
