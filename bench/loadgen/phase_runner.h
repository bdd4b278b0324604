// Runs one load phase against the pipeline or the 3-hop passthrough: sends
// generated leads (flat out or at a rate), watches the output topics until
// every lead is accounted (or --drain-seconds pass without progress), and
// samples the measured processes and redis-server meanwhile.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/kafka/consumer.h"
#include "common/kafka/producer.h"
#include "lead_generator.h"
#include "ledger.h"
#include "options.h"
#include "phase_result.h"

namespace leadflow::testing {
class RedisServer;
}

namespace leadflow::bench {

inline constexpr int kHops = 3;  // leads.submitted -> intake -> scoring -> routing -> output
std::string HopTopic(int i);     // "bench.hop<i>": the passthrough's topics

struct PhaseSpec {
  std::string name;  // e.g. "pipeline-rate"
  std::string path;  // "pipeline" or "passthrough"
  double rate = 0;   // leads/s; 0 = flat out
  size_t count = 0;
  int index = 0;      // distinct per phase of a run: the trace-id tag and the seed
  size_t warmup = 0;  // the first leads, accounted but left out of the latencies
  // > 0: stop sending once the phase's p99 is certain to exceed this
  // (P99CertainlyOver over the measured leads planned).
  double latency_limit_ms = 0;
};

class PhaseRunner {
 public:
  PhaseRunner(Options o, std::vector<CustomerAccount> customers)
      : o_(std::move(o)), customers_(std::move(customers)) {}

  // name -> pid of the processes measured in phases of `path`.
  std::map<std::string, pid_t> pipeline_pids, passthrough_pids;

  // Throws std::runtime_error when a Kafka client cannot be made.
  PhaseResult Run(const PhaseSpec& spec);

  void set_brokers(std::string b) { brokers_ = std::move(b); }
  void set_redis(testing::RedisServer* r) { redis_ = r; }

 private:
  kafka::Consumer* ConsumerFor(bool baseline);
  kafka::Producer* Producer();
  // Sends until the count, the send deadline, or `give_up`; returns the number sent.
  size_t Send(const PhaseSpec& spec, const std::string& tag, std::vector<GeneratedLead>& leads,
              Ledger& ledger, const std::atomic<bool>& give_up);
  // Until every sent lead is accounted, or no progress for --drain-seconds.
  bool Drain(const Ledger& ledger, size_t sent) const;

  Options o_;
  std::vector<CustomerAccount> customers_;
  std::string brokers_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Consumer> pipeline_consumer_, passthrough_consumer_;
  testing::RedisServer* redis_ = nullptr;
};

}  // namespace leadflow::bench
