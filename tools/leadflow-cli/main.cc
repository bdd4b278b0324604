// leadflow-cli: the operator's and the demo's client for a running stack.
//   publish-accounts  load CRM account states (JSONL) into accounts.changes
//   submit            publish form events (one raw line each) to leads.submitted
//   submit-grpc       submit one lead (JSON) through IntakeService.SubmitLead
//   watch             print where each lead went and why, from the output topics
//   assignments       list leads.assigned (who got which lead, queued or assigned)
//   open-leads        a team's open leads and queue, or a rep's, from routing (gRPC)
//   feedback          answer for a lead as a team's sales tool would
//   availability      mark a rep ACTIVE or PAUSED
//   out-of-office     set a rep's out-of-office window (or clear it)
//   engage            publish one engagement event (a reply, a booked meeting)
//   deals             print deal stage moves and stalls
//   notifications     print what account owners were told
//   simulate          replay history through candidate routing rules, diff the decisions
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"
#include "common/log/log.h"
#include "sales_commands.h"
#include "simulate_command.h"

namespace {

constexpr char kUsage[] = R"(leadflow-cli: talk to a running leadflow stack.

Usage:
  leadflow-cli publish-accounts --brokers B FILE.jsonl
      Publish AccountState records (JSON, one per line) to accounts.changes,
      keyed by account_key.
  leadflow-cli submit --brokers B FILE.jsonl
      Publish every non-empty line as-is (valid or not) to leads.submitted as a
      JSON form event; invalid lines are meant to end up in leads.rejected.
  leadflow-cli submit-grpc --intake HOST:PORT [--api-key KEY] JSON
      Submit one LeadSubmission (JSON) through IntakeService.SubmitLead and
      print the answer (lead_id or field errors). The source's
      API key goes in metadata x-api-key (default: $LEADFLOW_INTAKE_API_KEY).
  leadflow-cli watch --brokers B [--expect N] [--timeout SECONDS]
      Read leads.assigned, leads.nurture, accounts.inbound, leads.rejected and
      nurture.touches from the beginning and print one line per outcome, until
      N final outcomes were seen or the timeout passes (default 30 s). Exits 1
      if fewer than N were seen.
  leadflow-cli assignments --brokers B [--team T] [--rep R]
      Every record on leads.assigned so far, by decision time: the lead's full
      id, QUEUED or ASSIGNED (or NAMED_OWNER, ...), team/rep, company, BANT
      product and total score. A queued lead shows again when a slot frees for it.
  leadflow-cli open-leads --routing HOST:PORT --api-key KEY (--team T | --rep R)
      RoutingService.ListOpenLeads, as the team's sales tool (its API key, e.g.
      demo-key-small-deals) asks: the open leads, and for a team its queue in
      the order it drains (highest BANT product first, config queue_order).
  leadflow-cli feedback --brokers B --team T --rep R --lead ID --kind accept
  leadflow-cli feedback ... --kind reject --reason RIGID_SPEC
  leadflow-cli feedback ... --kind close --outcome WON|LOST
                            [--loss-reason LOST_PRICE|LOST_TO_COMPETITOR|... --loss-detail TEXT]
  leadflow-cli feedback ... --kind stage --stage STAGE_ID [--value RUB] [--back-reason TEXT]
      Publish one SalesFeedback to sales.feedback.<team>, as that team's
      sales tool does. Routing's answer shows on leads.nurture (a protected
      rejection), leads.discarded, sales.feedback and the WatchAssignments stream.
  leadflow-cli availability --routing HOST:PORT --api-key KEY --rep R --state ACTIVE|PAUSED
      RoutingService.SetRepAvailability, as the rep's team's sales tool (its
      API key) sets it; routing records it on reps.availability. Time away
      is an out-of-office window (below), which ends by itself.
  leadflow-cli out-of-office --routing HOST:PORT --api-key KEY --rep R
                             (--minutes N [--in M] | --clear)
      RoutingService.SetRepOutOfOffice: the rep is away for N minutes from M
      minutes from now (replacing the rep's windows), or back (--clear).
      Round robin skips the rep inside the window and the SLA of the rep's
      leads pauses; routing records it on reps.out-of-office, where HR and
      calendar tools may publish windows too.
  leadflow-cli engage --brokers B --type REPLIED|MEETING_BOOKED|... --account KEY
                      [--contact ID] [--lead ID] [--content CONTENT_ID]
      Publish one EngagementEvent to engagement.events.
  leadflow-cli deals --brokers B
      Every deal stage move (deals.stages) and stall (deals.stalls) so far, in
      time order: stage, win probability, value, time in the previous stage.
  leadflow-cli notifications --brokers B [--kind KIND] [--expect N] [--timeout SECONDS]
      Print accounts.notifications from the beginning (TOUCH_SENT,
      CUSTOMER_RESPONDED, ACCOUNT_DEVELOPMENT), until N rows were printed or the
      timeout passes (default 30 s). Exits 1 if fewer than N were seen.
  leadflow-cli simulate --brokers B --rules candidate.json [--from T] [--to T]
                        [--json out.json] [--lead ID]
                        [--scoring-model m.json [--live-scoring-model live.json]]
      Replay leads.scored, applied sales feedback and reps.availability
      through the candidate routing rules with the live router and capacity
      evolved in memory, and print the diff against what routing decided
      (leads.assigned, leads.nurture, accounts.inbound, leads.rejected): leads
      whose outcome, team or rep changes (with both decision paths), each
      rep's load, peak open leads and share against weight, queue depth, SLA
      misses. T is RFC 3339 (2026-11-02T09:00:00Z): the reported window;
      earlier history warms capacity up. --json writes the whole report;
      --lead prints that lead's decision path under the candidate rules.
      --scoring-model re-scores each leads.scored record with a candidate
      scoring model first: it lists the MQLs the candidate adds and drops
      (lead, old and new score, grade and stage), then replays the re-scored
      records. The recorded engagement points are reused, so a candidate
      whose engagement settings (points, daily caps, half-life) differ from
      the live model (--live-scoring-model, default
      config/scoring_model.json) is refused, naming the field; records the
      live model does not reproduce are counted (self-check).
      Reads only: writes nothing to Kafka or Redis. Limits: docs/simulation.md.

Options:
  --brokers B   Kafka bootstrap servers (default: $LEADFLOW_KAFKA_BROKERS)
  --help        this text
)";

struct Args {
  std::string command;
  std::string brokers;
  std::string intake;
  std::string routing;
  std::string api_key;
  std::vector<std::string> positional;
  leadflow::cli::Options options;  // --team, --rep, ... of the sales commands
  int expect = 0;
  int timeout_s = 30;
};

bool Parse(int argc, char** argv, Args& a, std::string& error) {
  if (const char* b = std::getenv("LEADFLOW_KAFKA_BROKERS")) a.brokers = b;
  if (const char* k = std::getenv("LEADFLOW_INTAKE_API_KEY")) a.api_key = k;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        error = std::string(name) + " needs a value";
        return nullptr;
      }
      return argv[++i];
    };
    if (arg == "--brokers") {
      const char* v = value("--brokers");
      if (!v) return false;
      a.brokers = v;
    } else if (arg == "--routing") {
      const char* v = value("--routing");
      if (!v) return false;
      a.routing = v;
    } else if (arg == "--intake") {
      const char* v = value("--intake");
      if (!v) return false;
      a.intake = v;
    } else if (arg == "--api-key") {
      const char* v = value("--api-key");
      if (!v) return false;
      a.api_key = v;
    } else if (arg == "--expect" || arg == "--timeout") {
      const char* v = value(arg.c_str());
      if (!v) return false;
      char* end = nullptr;
      long n = std::strtol(v, &end, 10);
      if (*end || n < 0) {
        error = arg + " takes a non-negative number, got \"" + v + "\"";
        return false;
      }
      (arg == "--expect" ? a.expect : a.timeout_s) = static_cast<int>(n);
    } else if (arg == "--team" || arg == "--rep" || arg == "--lead" || arg == "--kind" ||
               arg == "--reason" || arg == "--outcome" || arg == "--state" || arg == "--type" ||
               arg == "--account" || arg == "--contact" || arg == "--content" || arg == "--stage" ||
               arg == "--value" || arg == "--back-reason" || arg == "--loss-reason" ||
               arg == "--loss-detail" || arg == "--rules" || arg == "--from" || arg == "--to" ||
               arg == "--json" || arg == "--minutes" || arg == "--in" ||
               arg == "--scoring-model" || arg == "--live-scoring-model") {
      const char* v = value(arg.c_str());
      if (!v) return false;
      a.options[arg.substr(2)] = v;
    } else if (arg == "--clear") {
      a.options["clear"] = "1";
    } else if (arg.rfind("--", 0) == 0) {
      error = "unknown option " + arg;
      return false;
    } else if (a.command.empty()) {
      a.command = arg;
    } else {
      a.positional.push_back(arg);
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // The CLI prints its own results; the Kafka clients' info lines (partitions
  // assigned, ...) only at LEADFLOW_LOG_LEVEL=info or debug.
  const char* level = std::getenv("LEADFLOW_LOG_LEVEL");
  leadflow::log::Init("leadflow-cli",
                      level ? leadflow::log::ParseLevel(level) : leadflow::log::Level::kWarn);
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  Args a;
  std::string error;
  if (!Parse(argc, argv, a, error)) {
    std::fprintf(stderr, "leadflow-cli: %s (try --help)\n", error.c_str());
    return 2;
  }
  auto need_brokers = [&]() {
    if (a.brokers.empty()) {
      std::fprintf(stderr, "leadflow-cli: --brokers is required (or set LEADFLOW_KAFKA_BROKERS)\n");
      return false;
    }
    return true;
  };
  auto need_one = [&](const char* what) {
    if (a.positional.size() != 1) {
      std::fprintf(stderr, "leadflow-cli %s: expected one %s argument (try --help)\n",
                   a.command.c_str(), what);
      return false;
    }
    return true;
  };
  using namespace leadflow::cli;
  if (a.command == "publish-accounts") {
    if (!need_brokers() || !need_one("FILE")) return 2;
    return PublishAccounts(a.brokers, a.positional[0]);
  }
  if (a.command == "submit") {
    if (!need_brokers() || !need_one("FILE")) return 2;
    return SubmitFile(a.brokers, a.positional[0]);
  }
  if (a.command == "submit-grpc") {
    if (a.intake.empty()) {
      std::fprintf(stderr, "leadflow-cli submit-grpc: --intake HOST:PORT is required\n");
      return 2;
    }
    if (!need_one("JSON")) return 2;
    return SubmitGrpc(a.intake, a.positional[0], a.api_key);
  }
  if (a.command == "watch") {
    if (!need_brokers()) return 2;
    return Watch(a.brokers, a.expect, a.timeout_s);
  }
  if (a.command == "assignments") {
    if (!need_brokers()) return 2;
    return Assignments(a.brokers, a.options);
  }
  if (a.command == "open-leads") {
    if (a.routing.empty()) {
      std::fprintf(stderr, "leadflow-cli open-leads: --routing HOST:PORT is required\n");
      return 2;
    }
    return OpenLeads(a.routing, a.api_key, a.options);
  }
  if (a.command == "feedback") {
    if (!need_brokers()) return 2;
    return Feedback(a.brokers, a.options);
  }
  if (a.command == "availability") {
    if (a.routing.empty()) {
      std::fprintf(stderr, "leadflow-cli availability: --routing HOST:PORT is required\n");
      return 2;
    }
    return Availability(a.routing, a.api_key, a.options);
  }
  if (a.command == "out-of-office") {
    if (a.routing.empty()) {
      std::fprintf(stderr, "leadflow-cli out-of-office: --routing HOST:PORT is required\n");
      return 2;
    }
    return OutOfOffice(a.routing, a.api_key, a.options);
  }
  if (a.command == "engage") {
    if (!need_brokers()) return 2;
    return Engage(a.brokers, a.options);
  }
  if (a.command == "deals") {
    if (!need_brokers()) return 2;
    return Deals(a.brokers);
  }
  if (a.command == "notifications") {
    if (!need_brokers()) return 2;
    return Notifications(a.brokers, a.options, a.expect, a.timeout_s);
  }
  if (a.command == "simulate") {
    if (!need_brokers()) return 2;
    return Simulate(a.brokers, a.options);
  }
  std::fprintf(stderr, "leadflow-cli: unknown command \"%s\" (try --help)\n", a.command.c_str());
  return 2;
}
