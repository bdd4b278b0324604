// Runs one leadflow service binary (leadflow-<service>) the way the tests and
// the demo do: on loopback with free gRPC, HTTP and admin ports, against the given
// Kafka bootstrap and Redis URL, writing its ready file and logs into a
// working directory. Single-threaded use; the returned ChildProcess owns the
// process (SIGKILLed on destruction if still running).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/testing/child_process.h"

namespace leadflow::testing {

struct ServiceProcessOptions {
  std::string service;          // "intake", "scoring", "routing" or "nurture"
  std::string kafka_bootstrap;  // LEADFLOW_KAFKA_BROKERS
  std::string redis_url;        // LEADFLOW_REDIS_URL
  std::string config_dir;       // LEADFLOW_CONFIG_DIR; empty = the repository's config/
  std::string work_dir;         // ready file and stdout/stderr captures go here
  std::map<std::string, std::string> env;  // extra variables, applied last
};

/// The ports a started service reported in its ready file.
struct ServicePorts {
  int grpc_port = 0;
  int http_port = 0;   // public HTTP (intake's POST /v1/leads); 0: the service has none
  int admin_port = 0;  // GET /metrics, /healthz, /readyz
};

/// The ChildProcessOptions for `options` (binary from BinPath(), environment,
/// ready file <work_dir>/<service>.ready, logs <work_dir>/<service>.std*).
/// Keep it to restart the same service later.
ChildProcessOptions MakeServiceProcessOptions(const ServiceProcessOptions& options);

/// Waits up to `timeout` for the ready file named in `options` and reads the
/// ports from it. Fails early if `process` exits. On failure returns false and
/// sets `*error` to a message that includes the service's stderr.
bool WaitForServiceReady(const ChildProcessOptions& options, ChildProcess* process,
                         ServicePorts* ports, std::string* error,
                         std::chrono::seconds timeout = std::chrono::seconds(30));

/// Polls GET /readyz on 127.0.0.1:`admin_port` until it answers 200 (every
/// readiness check passes, e.g. a registry view caught up), up to `timeout`.
/// On failure returns false and sets `*error` to the last answer.
bool WaitForServiceReadyz(int admin_port, std::string* error,
                          std::chrono::seconds timeout = std::chrono::seconds(30));

/// MakeServiceProcessOptions + start + WaitForServiceReady. nullptr on failure.
std::unique_ptr<ChildProcess> StartService(const ServiceProcessOptions& options,
                                           ServicePorts* ports, std::string* error);

}  // namespace leadflow::testing
