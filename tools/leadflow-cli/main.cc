// leadflow-cli: the operator's and the demo's client for a running stack.
//   publish-accounts  load CRM account states (JSONL) into accounts.changes
//   submit            publish form events (one raw line each) to leads.submitted
//   submit-grpc       submit one lead (JSON) through IntakeService.SubmitLead
//   watch             print where each lead went and why, from the output topics
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"

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

Options:
  --brokers B   Kafka bootstrap servers (default: $LEADFLOW_KAFKA_BROKERS)
  --help        this text
)";

struct Args {
  std::string command;
  std::string brokers;
  std::string intake;
  std::string api_key;
  std::vector<std::string> positional;
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
  std::fprintf(stderr, "leadflow-cli: unknown command \"%s\" (try --help)\n", a.command.c_str());
  return 2;
}
