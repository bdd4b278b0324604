// leadflow-bench: the end-to-end benchmark harness (see bench/RESULTS.md and bench/run --help).
//
// Local mode (default): starts redis-server, leadflow-devkafka and the four
// service binaries (the e2e Stack fixture), a 3-hop leadflow-passthrough chain
// as the raw-Kafka baseline, loads the sample CRM registry, then runs phases:
//   passthrough-flat-out, pipeline-flat-out  (throughput; --count leads each)
//   passthrough-rate, pipeline-rate          (latency at --rate for --rate-seconds)
// and writes report.json + summary.txt to --out-dir.
// External mode (--brokers B): drives an already running stack, pipeline
// phases only; per-process figures for the pids given with --pid name=PID.
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "classify.h"
#include "common/kafka/consumer.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "lead_generator.h"
#include "ledger.h"
#include "proc_stats.h"
#include "redis_stats.h"
#include "report.h"
#include "common/testing/child_process.h"
#include "tests/e2e/stack.h"

namespace leadflow::bench {
namespace {

using Clock = std::chrono::steady_clock;
int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

constexpr int kHops = 3;  // leads.submitted -> intake -> scoring -> routing -> output
std::string HopTopic(int i) { return "bench.hop" + std::to_string(i); }

struct Options {
  std::string brokers;  // external mode when set
  std::map<std::string, pid_t> pids;
  size_t count = 20000;
  double rate = 2000;
  double rate_seconds = 15;
  double low_rate = 0;  // > 0: also a pipeline phase at this rate (below saturation)
  double max_phase_seconds = 90;
  double drain_seconds = 20;
  size_t warmup = 1000;
  int repeat = 1;  // flat-out runs per path
  uint64_t seed = 42;
  bool hop_timings = true;  // also watch leads.accepted / leads.scored
  std::string tag;
  std::string out_dir = "bench-out";
  // librdkafka properties "k=v;k=v" for the services (LEADFLOW_KAFKA_PROPERTIES)
  // and the passthrough hops alike, e.g. "linger.ms=0;fetch.wait.max.ms=1".
  std::string kafka_properties;
  std::string source_dir = LEADFLOW_SOURCE_DIR_DEFAULT;
  std::string bench_bin_dir = LEADFLOW_BENCH_BIN_DIR;
  std::set<std::string> phases = {"passthrough-flat-out", "pipeline-flat-out", "passthrough-rate",
                                  "pipeline-rate"};
};

constexpr char kUsage[] = R"(leadflow-bench: end-to-end benchmark of the leadflow pipeline against a
raw Kafka passthrough with the same number of topic hops.

  leadflow-bench [--count N] [--rate R] [--rate-seconds S] [--low-rate L] [--seed N]
                 [--warmup N] [--repeat K] [--max-phase-seconds S] [--drain-seconds S]
                 [--phases a,b,...] [--out-dir DIR] [--no-hop-timings]
                 [--kafka-properties "k=v;k=v"]
  leadflow-bench --brokers B [--pid intake=PID ...] [same options]

Phases: passthrough-flat-out, pipeline-flat-out (N leads as fast as the
producer can enqueue them; with --repeat K the two alternate K times and the
median-throughput run of each is judged), passthrough-rate, pipeline-rate (R leads/s for S
seconds); with --low-rate also pipeline-low-rate (L leads/s for S seconds, a
rate the pipeline sustains, for its unsaturated latency). Every phase is bounded by --max-phase-seconds of sending plus
--drain-seconds without progress. Defaults: N=20000, R=2000, S=15, seed 42.
With --brokers no stack is started and only pipeline phases run. Pipeline
--kafka-properties sets librdkafka properties on the services
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
  return true;
}

std::string MachineLine() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  utsname u{};
  uname(&u);
  std::string load;
  std::ifstream la("/proc/loadavg");
  std::getline(la, load);
  long mem_kb = 0;
  std::ifstream mi("/proc/meminfo");
  while (std::getline(mi, line)) {
    if (line.rfind("MemTotal:", 0) == 0) mem_kb = std::atol(line.c_str() + 9);
  }
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " CPUs, " +
         std::to_string(mem_kb / 1024) + " MB RAM, Linux " + u.release + ", load average " +
         load.substr(0, load.find(' ', load.find(' ', load.find(' ') + 1) + 1)) + " at start";
}

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

class Bench {
 public:
  Bench(Options o, std::vector<CustomerAccount> customers)
      : o_(std::move(o)), customers_(std::move(customers)) {}

  // name -> pid of the processes measured in phases of `path`.
  std::map<std::string, pid_t> pipeline_pids, passthrough_pids;

  PhaseResult Run(const std::string& name, const std::string& path, double rate, size_t count,
                  int index) {
    const bool baseline = path == "passthrough";
    const std::string tag = o_.tag + "p" + std::to_string(index);
    GeneratorOptions g;
    g.seed = o_.seed + static_cast<uint64_t>(index);
    g.run_tag = tag;
    g.customers = customers_;
    LeadGenerator gen(g);
    std::vector<GeneratedLead> leads;
    leads.reserve(count);
    for (size_t i = 0; i < count; ++i) leads.push_back(gen.Generate(i));

    Ledger ledger(count);
    // One consumer per path for the whole run, reading from the start of the
    // (then empty) topics: at a phase's start it only has the previous
    // phase's trailing records to skip, so a phase never measures the
    // consumer catching up on history.
    auto& slot = baseline ? passthrough_consumer_ : pipeline_consumer_;
    if (!slot) {
      kafka::ConsumerOptions co;
      co.brokers = brokers_;
      co.group_id = "leadflow-bench-" + o_.tag + "-" + path;
      co.client_id = "leadflow-bench";
      co.topics = baseline
                      ? std::vector<std::string>{HopTopic(kHops)}
                      : std::vector<std::string>{topics::kLeadsAssigned, topics::kLeadsNurture,
                                                 topics::kAccountsInbound, topics::kLeadsRejected};
      if (!baseline && o_.hop_timings) {
        co.topics.push_back(topics::kLeadsAccepted);
        co.topics.push_back(topics::kLeadsScored);
      }
      auto c = kafka::MakeKafkaConsumer(co, nullptr);
      if (!c.ok()) throw std::runtime_error(c.status().message());
      slot = std::move(*c);
    }
    kafka::Consumer* consumer = slot.get();
    for (int i = 0; i < 150 && consumer->AssignedPartitions() == 0; ++i) {
      consumer->PollBatch(5000, std::chrono::milliseconds(100));
    }
    for (int empty = 0; empty < 3;) {  // skip what earlier phases left behind
      empty = consumer->PollBatch(5000, std::chrono::milliseconds(50)).empty() ? empty + 1 : 0;
    }
    // One producer for all phases: its start-up (metadata, producer id) is
    // paid in the warm-up, not in a measured phase.
    if (!producer_) {
      kafka::ProducerOptions po;
      po.brokers = brokers_;
      po.client_id = "leadflow-bench";
      auto p = kafka::MakeKafkaProducer(po, nullptr);
      if (!p.ok()) throw std::runtime_error(p.status().message());
      producer_ = std::move(*p);
    }
    kafka::Producer* producer = producer_.get();

    const auto& pids = baseline ? passthrough_pids : pipeline_pids;
    auto redis_stats = [&]() -> CommandStats {
      if (baseline || !redis_) return {};
      auto info = redis_->Command({"INFO", "commandstats"});
      return info ? ParseCommandStats(*info) : CommandStats{};
    };
    const auto redis_before = redis_stats();
    std::map<std::string, ProcSample> start_samples, last_samples;
    std::map<std::string, int64_t> rss_max;
    for (const auto& [n, pid] : pids) {
      if (auto s = ReadProcSample(pid)) start_samples[n] = *s;
    }

    std::atomic<bool> sending_done{false}, stop{false};
    std::thread receiver([&] {
      while (!stop.load()) {
        for (auto& m : consumer->PollBatch(5000, std::chrono::milliseconds(20))) {
          const int64_t t = NowNs();
          auto c = Classify(m, tag, ledger);
          if (!c.seq) continue;
          if (c.hop >= 0) {
            ledger.Intermediate(*c.seq, c.hop, t);
          } else {
            ledger.Received(*c.seq, c.outcome, t);
          }
        }
      }
    });
    std::thread sampler([&] {
      while (!stop.load()) {
        for (const auto& [n, pid] : pids) {
          if (auto s = ReadProcSample(pid)) {
            last_samples[n] = *s;
            rss_max[n] = std::max(rss_max[n], s->rss_kb);
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    });

    const std::string topic = baseline ? HopTopic(0) : topics::kLeadsSubmitted;
    const int64_t t0 = NowNs();
    const int64_t send_deadline = t0 + static_cast<int64_t>(o_.max_phase_seconds * 1e9);
    size_t sent = 0;
    for (size_t i = 0; i < count; ++i) {
      int64_t now = NowNs();
      if (rate > 0) {
        const int64_t due = t0 + static_cast<int64_t>(static_cast<double>(i) * 1e9 / rate);
        if (due > now) {
          std::this_thread::sleep_for(std::chrono::nanoseconds(due - now));
          now = NowNs();
        }
      }
      if (now > send_deadline) break;
      auto& lead = leads[i];
      kafka::OutgoingMessage m{topic,
                               lead.key,
                               std::move(lead.payload),
                               {{topics::kTraceHeader, TraceId(tag, i)},
                                {topics::kContentTypeHeader, "application/json"}}};
      ledger.Sent(static_cast<uint32_t>(i), now, IsInvalid(lead.kind), PayloadHash(m.payload));
      Status s = producer->Produce(m);
      while (!s.ok() && NowNs() < send_deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        s = producer->Produce(m);
      }
      if (!s.ok()) {
        std::fprintf(stderr, "leadflow-bench: produce failed: %s\n", s.message().c_str());
        break;
      }
      ++sent;
    }
    if (auto s = producer->Flush(std::chrono::seconds(30)); !s.ok()) {
      std::fprintf(stderr, "leadflow-bench: flush failed: %s\n", s.message().c_str());
    }
    sending_done = true;
    // Drain: until every sent lead is accounted, or no progress for drain_seconds.
    size_t last_accounted = ledger.accounted();
    int64_t last_progress = NowNs();
    bool drained = false;
    while (true) {
      const size_t a = ledger.accounted();
      if (a >= sent) {
        drained = true;
        break;
      }
      if (a != last_accounted) {
        last_accounted = a;
        last_progress = NowNs();
      }
      if (NowNs() - last_progress > static_cast<int64_t>(o_.drain_seconds * 1e9)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // A little longer, to catch duplicates that trail the first outputs.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const int64_t t_end = NowNs();
    const auto redis_after = redis_stats();
    stop = true;
    receiver.join();
    sampler.join();

    PhaseResult r;
    r.name = name;
    r.path = path;
    r.target_rate = rate;
    r.wall_seconds = static_cast<double>(t_end - t0) / 1e9;
    r.drained = drained;
    r.ledger = ledger.Summarize();
    r.redis_calls_per_lead = CallsPerLead(redis_before, redis_after, r.ledger.sent);
    r.redis_usec_per_lead = UsecPerLead(redis_before, redis_after, r.ledger.sent);
    const double tck = static_cast<double>(ClockTicksPerSecond());
    for (const auto& [n, pid] : pids) {
      if (!start_samples.count(n) || !last_samples.count(n)) continue;
      ProcessUsage u;
      u.name = n;
      u.cpu_seconds =
          static_cast<double>(last_samples[n].cpu_ticks - start_samples[n].cpu_ticks) / tck;
      u.cpu_cores = r.wall_seconds > 0 ? u.cpu_seconds / r.wall_seconds : 0;
      u.rss_max_mb = static_cast<double>(rss_max[n]) / 1024.0;
      u.rss_end_mb = static_cast<double>(last_samples[n].rss_kb) / 1024.0;
      r.processes.push_back(u);
    }
    return r;
  }

  void set_brokers(std::string b) { brokers_ = std::move(b); }
  void set_redis(testing::RedisServer* r) { redis_ = r; }

 private:
  Options o_;
  std::vector<CustomerAccount> customers_;
  std::string brokers_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Consumer> pipeline_consumer_, passthrough_consumer_;
  testing::RedisServer* redis_ = nullptr;
};

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
  Bench bench(o, CustomersFromRegistryJsonl(*accounts_text));
  bench.pipeline_pids["loadgen"] = getpid();
  bench.passthrough_pids["loadgen"] = getpid();

  std::unique_ptr<e2e::Stack> stack;
  std::vector<std::unique_ptr<testing::ChildProcess>> hops;
  const bool external = !o.brokers.empty();
  if (external) {
    bench.set_brokers(o.brokers);
    for (const auto& [n, p] : o.pids) bench.pipeline_pids[n] = p;
    for (auto it = o.phases.begin(); it != o.phases.end();) {
      it = it->rfind("passthrough", 0) == 0 ? o.phases.erase(it) : std::next(it);
    }
  } else {
    std::fprintf(stderr, "starting redis-server, leadflow-devkafka and the four services...\n");
    e2e::StackOptions sopts;
    if (!o.kafka_properties.empty()) {
      for (const auto& s : e2e::Stack::ServiceNames()) {
        sopts.env[s]["LEADFLOW_KAFKA_PROPERTIES"] = o.kafka_properties;
      }
    }
    stack = e2e::Stack::Start(sopts, &err);
    if (!stack) {
      std::fprintf(stderr, "leadflow-bench: the stack did not start: %s\n", err.c_str());
      return 1;
    }
    bench.set_brokers(stack->bootstrap());
    bench.set_redis(&stack->redis());
    for (const auto& s : e2e::Stack::ServiceNames()) bench.pipeline_pids[s] = stack->pid(s);
    bench.pipeline_pids["redis"] = stack->redis().process().pid();
    bench.pipeline_pids["devkafka"] = stack->kafka().process().pid();
    bench.passthrough_pids["devkafka"] = stack->kafka().process().pid();
    for (int i = 0; i <= kHops; ++i) {
      if (!stack->kafka().CreateTopic(HopTopic(i), 6, &err)) {
        std::fprintf(stderr, "leadflow-bench: creating %s: %s\n", HopTopic(i).c_str(), err.c_str());
        return 1;
      }
    }
    for (int i = 0; i < kHops; ++i) {
      testing::ChildProcessOptions po;
      po.binary = o.bench_bin_dir + "/leadflow-passthrough";
      po.args = {"--brokers", stack->bootstrap(), "--from", HopTopic(i), "--to", HopTopic(i + 1)};
      po.log_name = "passthrough-" + std::to_string(i + 1);
      std::stringstream props(o.kafka_properties);
      for (std::string kv; std::getline(props, kv, ';');) {
        if (!kv.empty()) po.args.insert(po.args.end(), {"--property", kv});
      }
      auto p = testing::ChildProcess::Start(po, &err);
      if (!p) {
        std::fprintf(stderr, "leadflow-bench: %s\n", err.c_str());
        return 1;
      }
      bench.passthrough_pids[po.log_name] = p->pid();
      hops.push_back(std::move(p));
    }
    // The CRM registry, through the operator's CLI as scripts/demo loads it.
    testing::ChildProcessOptions cli;
    cli.binary = std::string(LEADFLOW_BIN_DIR_DEFAULT) + "/leadflow-cli";
    if (const char* b = std::getenv("LEADFLOW_BIN_DIR"); b && *b)
      cli.binary = std::string(b) + "/leadflow-cli";
    cli.args = {"publish-accounts", "--brokers", stack->bootstrap(), accounts_file};
    auto pub = testing::ChildProcess::Start(cli, &err);
    if (!pub || pub->WaitForExit(std::chrono::seconds(30)).value_or(-1) != 0) {
      std::fprintf(stderr, "leadflow-bench: publishing accounts failed %s\n",
                   pub ? pub->Describe().c_str() : err.c_str());
      return 1;
    }
    size_t want = 0;
    for (char c : *accounts_text) want += c == '\n';
    for (int i = 0; i < 100; ++i) {
      auto n = stack->redis().Command({"SCARD", "lf:{intake}:accts"});
      if (n && std::strtoul(n->c_str(), nullptr, 10) >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  int index = 0;
  auto run = [&](const std::string& name, const std::string& path, double rate, size_t count,
                 bool keep) {
    std::fprintf(stderr, "phase %s: %zu leads%s...\n", name.c_str(), count,
                 rate > 0 ? (" at " + std::to_string(static_cast<int>(rate)) + "/s").c_str() : "");
    auto r = bench.Run(name, path, rate, count, index++);
    std::fprintf(stderr, "  %.0f leads/s, p99 %.2f ms, %s\n", r.ledger.throughput_per_s,
                 r.ledger.latency.p99_ms,
                 r.ledger.Correct() ? "all accounted" : "NOT all accounted");
    if (keep) report.phases.push_back(std::move(r));
  };
  const size_t rate_count = static_cast<size_t>(o.rate * o.rate_seconds);
  try {
    if (o.warmup > 0) {
      if (!external) run("passthrough-warmup", "passthrough", 0, o.warmup, false);
      run("pipeline-warmup", "pipeline", 0, o.warmup, false);
    }
    // Flat out, the paths alternate --repeat times and the median run of
    // each is the one judged: one disturbed run on a shared machine does not
    // decide the ratio.
    std::map<std::string, std::vector<PhaseResult>> repeats;
    for (int k = 0; k < o.repeat; ++k) {
      for (const char* p : {"passthrough-flat-out", "pipeline-flat-out"}) {
        if (!o.phases.count(p)) continue;
        const std::string n = p;
        run(n, n.substr(0, n.find('-')), 0, o.count, true);
        repeats[n].push_back(std::move(report.phases.back()));
        report.phases.pop_back();
      }
    }
    for (const char* p : {"passthrough-flat-out", "pipeline-flat-out"}) {
      auto& runs = repeats[p];
      NameMedianRun(runs, p);
      for (auto& r : runs) report.phases.push_back(std::move(r));
    }
    for (const char* p : {"passthrough-rate", "pipeline-rate"}) {
      if (o.phases.count(p) && rate_count > 0) {
        const std::string n = p;
        run(n, n.substr(0, n.find('-')), o.rate, rate_count, true);
      }
    }
    if (o.low_rate > 0 && o.phases.count("pipeline-rate")) {
      run("pipeline-low-rate", "pipeline", o.low_rate,
          static_cast<size_t>(o.low_rate * o.rate_seconds), true);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leadflow-bench: %s\n", e.what());
    return 1;
  }

  int rc = 0;
  for (auto& h : hops) h->Terminate(std::chrono::seconds(10));
  if (stack) {
    for (const auto& s : e2e::Stack::ServiceNames()) {
      if (int code = stack->Terminate(s); code != 0) {
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
  return rc;
}

}  // namespace
}  // namespace leadflow::bench

int main(int argc, char** argv) { return leadflow::bench::Main(argc, argv); }
