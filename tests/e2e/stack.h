// A whole leadflow stack for e2e tests: a real redis-server, leadflow-devkafka
// and the four service binaries as child processes on free ports, configured
// from the shipped config/ directory. Start() waits until every service has
// written its ready file. Not thread-safe; one stack per test.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "services/common/testing/child_process.h"
#include "services/common/testing/dev_kafka.h"
#include "services/common/testing/redis_server.h"
#include "services/common/testing/temp_dir.h"

namespace leadflow::e2e {

struct ServicePorts {
  int grpc = 0;
  int http = 0;
};

class Stack {
 public:
  static const std::vector<std::string>& ServiceNames();

  // Returns nullptr and sets `error` (with the failing service's log tail) on failure.
  static std::unique_ptr<Stack> Start(std::string* error);

  const std::string& bootstrap() const { return kafka_->bootstrap(); }
  std::string redis_url() const { return redis_->url(); }
  testing::RedisServer& redis() { return *redis_; }
  ServicePorts ports(const std::string& service) const { return ports_.at(service); }
  std::string grpc_address(const std::string& service) const {
    return "127.0.0.1:" + std::to_string(ports_.at(service).grpc);
  }
  // SIGTERM to one service; returns its exit code (-1 on timeout).
  int Terminate(const std::string& service);
  std::string Logs(const std::string& service) const;

 private:
  Stack() = default;
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<testing::DevKafka> kafka_;
  std::map<std::string, std::unique_ptr<testing::ChildProcess>> services_;
  std::map<std::string, ServicePorts> ports_;
};

// A tiny HTTP GET on 127.0.0.1 for /metrics and /readyz; returns the body.
std::string HttpGet(int port, const std::string& path, int* status = nullptr);

}  // namespace leadflow::e2e
