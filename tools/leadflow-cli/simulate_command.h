// leadflow-cli simulate: replays recorded history through a candidate rule
// set (routing/domain/rule_simulation.h) and prints the diff against what
// routing decided; docs/simulation.md. Reads the topics only (ScanTopic): it
// writes nothing to Kafka or Redis.
#pragma once

#include <string>

#include "sales_commands.h"

namespace leadflow::cli {

// Options: rules (required: a RoutingRules JSON or text file), from and to
// (RFC 3339; the reported window), json (a file for the whole report), lead
// (one lead's decision paths under the candidate rules), scoring-model (a
// candidate ScoringModel: each leads.scored record is re-scored with it, the
// MQLs it adds and drops are listed and the replay runs on the re-scored
// records; scoring_what_if.h) and live-scoring-model (default
// config/scoring_model.json). Progress on stderr.
// Exit codes: 0 done (whatever the diff), 1 history unreadable or the JSON
// unwritable, 2 bad options, rules or scoring models (a candidate whose
// engagement settings differ from the live model's included).
int Simulate(const std::string& brokers, const Options& options);

}  // namespace leadflow::cli
