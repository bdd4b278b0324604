// leadflow-bench: the end-to-end benchmark harness (see bench/RESULTS.md and bench/run --help).
//
// Local mode (default): starts redis-server, leadflow-devkafka and the four
// service binaries (the e2e Stack fixture), a 3-hop leadflow-passthrough chain
// as the raw-Kafka baseline, loads the sample CRM registry, then runs phases:
//   passthrough-flat-out, pipeline-flat-out  (throughput; --count leads each)
//   passthrough-rate, pipeline-rate          (latency at --rate for --rate-seconds)
//   rate-search                              (the rate held at 1.5x the passthrough's p99)
// and writes report.json + summary.txt to --out-dir.
// External mode (--brokers B): drives an already running stack, pipeline
// phases only; per-process figures for the pids given with --pid name=PID.
//
// The files: options.* (the command line), phase_runner.* (one phase),
// search_runner.* and rate_search.* (the rate search), report.* (the output).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "common/testing/child_process.h"
#include "lead_generator.h"
#include "options.h"
#include "phase_runner.h"
#include "report.h"
#include "run_info.h"
#include "search_runner.h"
#include "tests/e2e/stack.h"

namespace leadflow::bench {
namespace {

constexpr int kLeadsLostExit = 3;

// The local stack: the services (with redis-server and devkafka) and the passthrough's hops.
struct LocalStack {
  std::unique_ptr<e2e::Stack> stack;
  std::vector<std::unique_ptr<testing::ChildProcess>> hops;
};

bool StartHops(const Options& o, LocalStack& local, PhaseRunner& runner, std::string& err) {
  for (int i = 0; i <= kHops; ++i) {
    if (!local.stack->kafka().CreateTopic(HopTopic(i), 6, &err)) {
      err = "creating " + HopTopic(i) + ": " + err;
      return false;
    }
  }
  for (int i = 0; i < kHops; ++i) {
    testing::ChildProcessOptions po;
    po.binary = o.bench_bin_dir + "/leadflow-passthrough";
    po.args = {"--brokers", local.stack->bootstrap(), "--from", HopTopic(i),
               "--to",      HopTopic(i + 1)};
    po.log_name = "passthrough-" + std::to_string(i + 1);
    std::stringstream props(o.kafka_properties);
    for (std::string kv; std::getline(props, kv, ';');) {
      if (!kv.empty()) po.args.insert(po.args.end(), {"--property", kv});
    }
    auto p = testing::ChildProcess::Start(po, &err);
    if (!p) return false;
    runner.passthrough_pids[po.log_name] = p->pid();
    local.hops.push_back(std::move(p));
  }
  return true;
}

// The CRM registry, through the operator's CLI as scripts/demo loads it.
bool PublishAccounts(e2e::Stack& stack, const std::string& accounts_file,
                     const std::string& accounts_text, std::string& err) {
  testing::ChildProcessOptions cli;
  cli.binary = std::string(LEADFLOW_BIN_DIR_DEFAULT) + "/leadflow-cli";
  if (const char* b = std::getenv("LEADFLOW_BIN_DIR"); b && *b) {
    cli.binary = std::string(b) + "/leadflow-cli";
  }
  cli.args = {"publish-accounts", "--brokers", stack.bootstrap(), accounts_file};
  auto pub = testing::ChildProcess::Start(cli, &err);
  if (!pub || pub->WaitForExit(std::chrono::seconds(30)).value_or(-1) != 0) {
    err = "publishing accounts failed " + (pub ? pub->Describe() : err);
    return false;
  }
  size_t want = 0;
  for (char c : accounts_text) want += c == '\n';
  for (int i = 0; i < 100; ++i) {
    auto n = stack.redis().Command({"SCARD", "lf:{intake}:accts"});
    if (n && std::strtoul(n->c_str(), nullptr, 10) >= want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

bool StartLocal(const Options& o, const std::string& accounts_file,
                const std::string& accounts_text, LocalStack& local, PhaseRunner& runner,
                std::string& err) {
  std::fprintf(stderr, "starting redis-server, leadflow-devkafka and the four services...\n");
  e2e::StackOptions sopts;
  if (!o.kafka_properties.empty()) {
    for (const auto& s : e2e::Stack::ServiceNames()) {
      sopts.env[s]["LEADFLOW_KAFKA_PROPERTIES"] = o.kafka_properties;
    }
  }
  local.stack = e2e::Stack::Start(sopts, &err);
  if (!local.stack) {
    err = "the stack did not start: " + err;
    return false;
  }
  auto& stack = *local.stack;
  runner.set_brokers(stack.bootstrap());
  runner.set_redis(&stack.redis());
  for (const auto& s : e2e::Stack::ServiceNames()) runner.pipeline_pids[s] = stack.pid(s);
  runner.pipeline_pids["redis"] = stack.redis().process().pid();
  runner.pipeline_pids["devkafka"] = stack.kafka().process().pid();
  runner.passthrough_pids["devkafka"] = stack.kafka().process().pid();
  return StartHops(o, local, runner, err) &&
         PublishAccounts(stack, accounts_file, accounts_text, err);
}

// The phases --phases names, in a fixed order; the rate search last.
void RunPhases(const Options& o, bool external, PhaseRunner& runner, RunReport& report) {
  int index = 0;
  auto run = [&](const std::string& name, double rate, size_t count, bool keep) {
    std::fprintf(stderr, "phase %s: %zu leads%s...\n", name.c_str(), count,
                 rate > 0 ? (" at " + std::to_string(static_cast<int>(rate)) + "/s").c_str() : "");
    PhaseSpec spec;
    spec.name = name;
    spec.path = name.substr(0, name.find('-'));
    spec.rate = rate;
    spec.count = count;
    spec.index = index++;
    auto r = runner.Run(spec);
    std::fprintf(stderr, "  %.0f leads/s, p99 %.2f ms, %s\n", r.ledger.throughput_per_s,
                 r.ledger.latency.p99_ms,
                 r.ledger.Correct() ? "all accounted" : "NOT all accounted");
    if (keep) report.phases.push_back(std::move(r));
  };
  if (o.warmup > 0) {
    if (!external) run("passthrough-warmup", 0, o.warmup, false);
    run("pipeline-warmup", 0, o.warmup, false);
  }
  // Flat out, the paths alternate --repeat times and the median run of
  // each is the one judged: one disturbed run on a shared machine does not
  // decide the ratio.
  std::map<std::string, std::vector<PhaseResult>> repeats;
  for (int k = 0; k < o.repeat; ++k) {
    for (const char* p : {"passthrough-flat-out", "pipeline-flat-out"}) {
      if (!o.phases.count(p)) continue;
      run(p, 0, o.count, true);
      repeats[p].push_back(std::move(report.phases.back()));
      report.phases.pop_back();
    }
  }
  for (const char* p : {"passthrough-flat-out", "pipeline-flat-out"}) {
    auto& runs = repeats[p];
    NameMedianRun(runs, p);
    for (auto& r : runs) report.phases.push_back(std::move(r));
  }
  const size_t rate_count = static_cast<size_t>(o.rate * o.rate_seconds);
  for (const char* p : {"passthrough-rate", "pipeline-rate"}) {
    if (o.phases.count(p) && rate_count > 0) run(p, o.rate, rate_count, true);
  }
  if (o.low_rate > 0 && o.phases.count("pipeline-rate")) {
    run("pipeline-low-rate", o.low_rate, static_cast<size_t>(o.low_rate * o.rate_seconds), true);
  }
  if (o.phases.count("rate-search")) report.search = RunRateSearch(runner, o.search, index);
}

int Main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  Options o;
  std::string err;
  if (!ParseArgs(argc, argv, o, err)) {
    std::fprintf(stderr, "leadflow-bench: %s (try --help)\n", err.c_str());
    return 2;
  }
  if (o.tag.empty()) o.tag = "b" + std::to_string(std::time(nullptr) % 100000000);
  if (const char* s = std::getenv("LEADFLOW_SOURCE_DIR"); s && *s) o.source_dir = s;
  const std::string accounts_file = o.source_dir + "/config/accounts.sample.jsonl";
  auto accounts_text = testing::ReadFileToString(accounts_file);
  if (!accounts_text) {
    std::fprintf(stderr, "leadflow-bench: cannot read %s\n", accounts_file.c_str());
    return 1;
  }

  RunReport report;
  report.started_at = UtcNow();
  report.machine = MachineLine();
  report.seed = o.seed;
  report.targets.rate_for_latency = o.rate;
  report.targets.max_p99_ratio = o.search.p99_factor;
  report.targets.redis_us_per_lead_baseline = o.redis_us_per_lead_baseline;
  PhaseRunner runner(o, CustomersFromRegistryJsonl(*accounts_text));
  runner.pipeline_pids["loadgen"] = getpid();
  runner.passthrough_pids["loadgen"] = getpid();

  LocalStack local;
  const bool external = !o.brokers.empty();
  if (external) {
    runner.set_brokers(o.brokers);
    for (const auto& [n, p] : o.pids) runner.pipeline_pids[n] = p;
    // No passthrough here, so nothing to compare a rate with either.
    for (auto it = o.phases.begin(); it != o.phases.end();) {
      const bool needs_baseline = it->rfind("passthrough", 0) == 0 || *it == "rate-search";
      it = needs_baseline ? o.phases.erase(it) : std::next(it);
    }
  } else if (!StartLocal(o, accounts_file, *accounts_text, local, runner, err)) {
    std::fprintf(stderr, "leadflow-bench: %s\n", err.c_str());
    return 1;
  }

  try {
    RunPhases(o, external, runner, report);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leadflow-bench: %s\n", e.what());
    return 1;
  }

  int rc = 0;
  for (auto& h : local.hops) h->Terminate(std::chrono::seconds(10));
  if (local.stack) {
    for (const auto& s : e2e::Stack::ServiceNames()) {
      if (int code = local.stack->Terminate(s); code != 0) {
        std::fprintf(stderr, "leadflow-bench: leadflow-%s exited %d\n", s.c_str(), code);
        rc = 1;
      }
    }
  }
  std::filesystem::create_directories(o.out_dir);
  const std::string text = ToText(report);
  std::ofstream(o.out_dir + "/report.json") << ToJson(report).dump(2) << "\n";
  std::ofstream(o.out_dir + "/summary.txt") << text;
  std::fputs(text.c_str(), stdout);
  std::fprintf(stderr, "report: %s/report.json, %s/summary.txt\n", o.out_dir.c_str(),
               o.out_dir.c_str());
  if (report.search && report.search->stop == SearchStop::kLeadsLost) {
    const auto& last = report.search->steps.back();
    std::fprintf(stderr,
                 "leadflow-bench: FAILED: the rate search's step at %.0f leads/s lost or "
                 "duplicated leads (%s); see its phases in report.json\n",
                 last.rate, last.judgement.why.c_str());
    rc = kLeadsLostExit;
  }
  return rc;
}

}  // namespace
}  // namespace leadflow::bench

int main(int argc, char** argv) { return leadflow::bench::Main(argc, argv); }
