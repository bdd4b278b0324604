// A whole leadflow stack for e2e tests: a real redis-server, leadflow-devkafka
// and the four service binaries as child processes on free ports, configured
// from the shipped config/ directory. Start() waits until every service has
// written its ready file. Not thread-safe; one stack per test.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/testing/child_process.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/redis_server.h"
#include "common/testing/temp_dir.h"

namespace leadflow::e2e {

struct ServicePorts {
  int grpc = 0;
  int http = 0;   // public HTTP: intake's POST /v1/leads (0 for the other services)
  int admin = 0;  // /metrics, /healthz, /readyz
};

// What a test may change about a stack (defaults: the shipped config/).
struct StackOptions {
  std::string config_dir;  // empty: <source>/config
  // Extra environment per service name, e.g. {"nurture", {{"LEADFLOW_NURTURE_TIME_SCALE", "60"}}}.
  std::map<std::string, std::map<std::string, std::string>> env;
  // redis-server with `--appendonly yes`, so state survives redis().Restart().
  bool redis_appendonly = false;
  // Brokers in the devkafka cluster (fault tests take one down).
  int kafka_brokers = 1;
};

// Nurture's schedule time in every stack starts at this instant (a weekday,
// 12:00 Moscow) unless a test overrides LEADFLOW_NURTURE_TIME_START_MS, so
// quiet hours never depend on when a test happens to run.
inline constexpr int64_t kNurtureScheduleStartMs = 1768381200000;  // 2026-01-14 09:00 UTC

class Stack {
 public:
  static const std::vector<std::string>& ServiceNames();

  // Returns nullptr and sets `error` (with the failing service's log tail) on failure.
  static std::unique_ptr<Stack> Start(std::string* error);
  static std::unique_ptr<Stack> Start(const StackOptions& options, std::string* error);

  const std::string& bootstrap() const { return kafka_->bootstrap(); }
  std::string redis_url() const { return redis_->url(); }
  testing::RedisServer& redis() { return *redis_; }
  ServicePorts ports(const std::string& service) const { return ports_.at(service); }
  std::string grpc_address(const std::string& service) const {
    return "127.0.0.1:" + std::to_string(ports_.at(service).grpc);
  }
  // SIGTERM to one service; returns its exit code (-1 on timeout).
  int Terminate(const std::string& service);
  // SIGKILL to one service (no shutdown at all); returns its exit code (137).
  int Kill(const std::string& service);
  // Starts a stopped service again with the same environment and waits until
  // it is ready (ports may change). False and `error` on failure.
  bool Restart(const std::string& service, std::string* error);
  // The environment a service was started with (e.g. the nurture time origin).
  const std::map<std::string, std::string>& env(const std::string& service) const {
    return options_.at(service).env;
  }
  std::string Logs(const std::string& service) const;
  // Everything the current process of `service` wrote to stdout and stderr
  // (not truncated; e.g. for scanning logs for PII).
  std::string FullLogs(const std::string& service) const;
  // The process id of a running service, and the devkafka cluster (for extra
  // topics and its process), e.g. for the benchmark harness in bench/.
  pid_t pid(const std::string& service) const { return services_.at(service)->pid(); }
  testing::DevKafka& kafka() { return *kafka_; }

 private:
  Stack() = default;
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<testing::DevKafka> kafka_;
  std::map<std::string, std::unique_ptr<testing::ChildProcess>> services_;
  std::map<std::string, ServicePorts> ports_;
  std::map<std::string, testing::ChildProcessOptions> options_;
  int restarts_ = 0;
};

// A tiny HTTP GET on 127.0.0.1 for /metrics and /readyz (on the admin port);
// returns the body.
std::string HttpGet(int port, const std::string& path, int* status = nullptr);

// The value of one sample of a /metrics page, e.g.
// MetricValue(port, "leadflow_routing_state_ready") or a series with its
// labels in the page's order; -1 when the page has no such sample.
double MetricValue(int port, const std::string& series);

// Polls `cond` every 20 ms until it holds or `timeout` passes; its last answer.
bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout);

}  // namespace leadflow::e2e
