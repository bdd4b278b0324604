#include "options.h"

#include <cstdlib>
#include <sstream>

namespace leadflow::bench {

const char kUsage[] = R"(leadflow-bench: end-to-end benchmark of the leadflow pipeline against a
raw Kafka passthrough with the same number of topic hops.

  leadflow-bench [--count N] [--rate R] [--rate-seconds S] [--low-rate L] [--seed N]
                 [--warmup N] [--repeat K] [--max-phase-seconds S] [--drain-seconds S]
                 [--phases a,b,...] [--out-dir DIR] [--no-hop-timings]
                 [--kafka-properties "k=v;k=v"]
                 [--search-start R] [--search-max R] [--search-seconds S]
                 [--search-warmup-seconds S] [--search-budget-seconds S]
                 [--redis-us-per-lead-baseline X]
  leadflow-bench --brokers B [--pid intake=PID ...] [same options]

Phases: passthrough-flat-out, pipeline-flat-out (N leads as fast as the
producer can enqueue them; with --repeat K the two alternate K times and the
median-throughput run of each is judged), passthrough-rate, pipeline-rate (R
leads/s for S seconds); with --low-rate also pipeline-low-rate (L leads/s for S
seconds, a rate the pipeline sustains, for its unsaturated latency); and
rate-search, last: the highest offered rate at which the pipeline's p99 stays
within 1.5x the passthrough's p99 at that same rate. Each step runs the
passthrough, then the pipeline, at one rate for --search-warmup-seconds
(default 2, left out of the percentiles) plus --search-seconds (default 8). It
starts at --search-start (500/s), doubles while steps hold, up to --search-max
(16000/s), then bisects between the highest rate held and the lowest failed to
10 %; no step starts that would end past --search-budget-seconds (240). A
pipeline step stops sending once its p99 is certain to exceed the limit. A step
that loses or duplicates a lead ends the search and the run fails (exit 3).
Every phase is bounded by --max-phase-seconds of sending plus --drain-seconds
without progress. Defaults: N=20000, R=2000, S=15, seed 42.
The summary judges issue 21's targets, each against this run's passthrough:
the rate held >= 4000/s, p99 at R <= 1.5x the passthrough's, flat-out
throughput >= 0.25x the passthrough's, and Redis CPU per lead at R (redis-server's
CPU time / leads) <= half of --redis-us-per-lead-baseline X (microseconds per
lead, e.g. an earlier run's figure; without it that target is not judged).
With --brokers no stack is started and only pipeline phases run (no
rate-search either: it needs the passthrough). --kafka-properties sets librdkafka properties on the services
(LEADFLOW_KAFKA_PROPERTIES) and the passthrough hops alike, for tuning
experiments (linger.ms, fetch.wait.max.ms, ...). Pipeline
phases also read leads.accepted and leads.scored for a per-hop latency split
(--no-hop-timings: only the output topics).
)";

bool ParseArgs(int argc, char** argv, Options& o, std::string& err) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        err = a + " needs a value";
        return "";
      }
      return argv[++i];
    };
    auto num = [&](double& out) {
      std::string v = val();
      if (v.empty()) return false;
      char* end = nullptr;
      out = std::strtod(v.c_str(), &end);
      if (*end || out < 0) {
        err = a + " takes a non-negative number, got \"" + v + "\"";
        return false;
      }
      return true;
    };
    double d = 0;
    if (a == "--brokers") {
      o.brokers = val();
    } else if (a == "--pid") {
      std::string v = val();
      auto eq = v.find('=');
      if (eq == std::string::npos) {
        err = "--pid takes name=PID";
        return false;
      }
      o.pids[v.substr(0, eq)] = static_cast<pid_t>(std::atoi(v.c_str() + eq + 1));
    } else if (a == "--count") {
      if (!num(d)) return false;
      o.count = static_cast<size_t>(d);
    } else if (a == "--rate") {
      if (!num(o.rate)) return false;
    } else if (a == "--low-rate") {
      if (!num(o.low_rate)) return false;
    } else if (a == "--rate-seconds") {
      if (!num(o.rate_seconds)) return false;
    } else if (a == "--max-phase-seconds") {
      if (!num(o.max_phase_seconds)) return false;
    } else if (a == "--drain-seconds") {
      if (!num(o.drain_seconds)) return false;
    } else if (a == "--repeat") {
      if (!num(d)) return false;
      o.repeat = std::max(1, static_cast<int>(d));
    } else if (a == "--warmup") {
      if (!num(d)) return false;
      o.warmup = static_cast<size_t>(d);
    } else if (a == "--seed") {
      if (!num(d)) return false;
      o.seed = static_cast<uint64_t>(d);
    } else if (a == "--search-start") {
      if (!num(o.search.start)) return false;
    } else if (a == "--search-max") {
      if (!num(o.search.max)) return false;
    } else if (a == "--search-seconds") {
      if (!num(o.search.window_seconds)) return false;
    } else if (a == "--search-warmup-seconds") {
      if (!num(o.search.warmup_seconds)) return false;
    } else if (a == "--search-budget-seconds") {
      if (!num(o.search.budget_seconds)) return false;
    } else if (a == "--redis-us-per-lead-baseline") {
      if (!num(o.redis_us_per_lead_baseline)) return false;
    } else if (a == "--no-hop-timings") {
      o.hop_timings = false;
    } else if (a == "--kafka-properties") {
      o.kafka_properties = val();
    } else if (a == "--tag") {
      o.tag = val();
    } else if (a == "--out-dir") {
      o.out_dir = val();
    } else if (a == "--phases") {
      o.phases.clear();
      std::stringstream ss(val());
      std::string p;
      while (std::getline(ss, p, ',')) o.phases.insert(p);
    } else {
      err = "unknown argument " + a;
      return false;
    }
    if (!err.empty()) return false;
  }
  if (o.count == 0 || o.count > 10'000'000) {
    err = "--count must be between 1 and 10000000";
    return false;
  }
  if (o.search.start <= 0 || o.search.max < o.search.start || o.search.window_seconds <= 0) {
    err = "--search-start and --search-seconds must be positive, --search-max >= --search-start";
    return false;
  }
  return true;
}

}  // namespace leadflow::bench
