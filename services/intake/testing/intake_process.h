// Test fixture: the real leadflow-intake binary as a child process, with a
// real redis-server and leadflow-devkafka, configured from the shipped
// config/intake.json plus optional overrides. For integration tests
// (services/intake) and the HTTP e2e test (tests/e2e).
//
// Not thread-safe to Start/stop; the accessors are safe to read from many
// threads once started. Everything is torn down by the destructor.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/testing/child_process.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/redis_server.h"
#include "common/testing/temp_dir.h"

namespace leadflow::intake::testing {

struct IntakeProcessOptions {
  // Applied to the parsed shipped config/intake.json before it is written to
  // the process's config directory (e.g. to add a source with a test key).
  std::function<void(nlohmann::json& config)> edit_config;
};

class IntakeProcess {
 public:
  // Returns nullptr and sets `error` (with intake's log tail) on failure.
  // Waits until intake wrote its ready file.
  static std::unique_ptr<IntakeProcess> Start(const IntakeProcessOptions& options,
                                              std::string* error);

  const std::string& bootstrap() const { return kafka_->bootstrap(); }
  leadflow::testing::RedisServer& redis() { return *redis_; }
  int grpc_port() const { return grpc_port_; }
  // Public HTTP (POST /v1/leads) and admin (/metrics, /healthz, /readyz).
  int http_port() const { return http_port_; }
  int admin_port() const { return admin_port_; }
  std::string grpc_address() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  // intake's stderr so far (for failure messages).
  std::string Logs() const;
  // GET http://127.0.0.1:<admin_port>/metrics
  std::string Metrics() const;
  // The value of one metric sample line, e.g.
  // `leadflow_intake_registry_accounts`; -1 when absent.
  double MetricValue(const std::string& sample) const;

 private:
  IntakeProcess() = default;
  std::unique_ptr<leadflow::testing::TempDir> dir_;
  std::unique_ptr<leadflow::testing::RedisServer> redis_;
  std::unique_ptr<leadflow::testing::DevKafka> kafka_;
  std::unique_ptr<leadflow::testing::ChildProcess> intake_;
  int grpc_port_ = 0;
  int http_port_ = 0;
  int admin_port_ = 0;
};

}  // namespace leadflow::intake::testing
