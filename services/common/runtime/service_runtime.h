// The composition every service main() shares (userver-style components):
// --help/--version, environment, logging, metrics, the admin HTTP server
// (/metrics, /healthz, /readyz), the public HTTP server for routes a service
// adds (intake's POST /v1/leads), the Kafka producer, Redis, consumer loops, the gRPC server with the
// standard grpc.health.v1 service, the ready file, and graceful shutdown.
//
//   int main(int argc, char** argv) {
//     return leadflow::runtime::ServiceMain(kInfo, argc, argv, [](ServiceRuntime& rt) {
//       ... load rules from rt.ConfigPath("x.json"), build handlers ...
//       rt.AddConsumer("main", {topics::kLeadsAccepted}, handler, Stage::SCORING);
//       return Status::Ok();
//     });
//   }
//
// Shutdown on SIGTERM/SIGINT: readiness goes false, gRPC stops accepting and
// drains (5 s), every consumer loop finishes its batch, flushes, commits and
// leaves its group, the producer flushes, and the process exits 0.
#pragma once

#include <functional>
#include <memory>
#include <utility>
#include <string>
#include <thread>
#include <vector>

#include "common/auth/registry_caller_identifier.h"
#include "common/config/env.h"
#include "common/health/http_server.h"
#include "common/health/readiness.h"
#include "common/kafka/consumer_loop.h"
#include "common/kafka/producer.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "common/redis/client.h"
#include "common/util/clock.h"
#include "common/view/topic_view.h"

namespace grpc {
class Service;
}

namespace leadflow::runtime {

struct ServiceInfo {
  std::string name;     // short: intake, scoring, routing, nurture
  std::string summary;  // one paragraph for --help
  std::string config_files;  // --help lines describing the rule files read
};

class ServiceRuntime {
 public:
  ServiceRuntime(ServiceInfo info, config::InfraConfig infra);
  ~ServiceRuntime();

  // Connects Kafka and Redis. Called by ServiceMain before wiring.
  Status Init();

  const ServiceInfo& info() const { return info_; }
  const config::InfraConfig& infra() const { return infra_; }
  const Clock& clock() const { return SystemClock::Instance(); }
  kafka::Producer& producer() { return *producer_; }
  redis::Client& redis() { return *redis_; }
  metrics::Registry& registry() { return registry_; }
  metrics::ServiceMetrics& metrics() { return metrics_; }
  health::Readiness& readiness() { return readiness_; }
  // The public HTTP server (LEADFLOW_HTTP_PORT): add routes here before Run();
  // it listens only if a route was added. Probes and metrics are on admin().
  health::HttpServer& http() { return http_; }
  // The admin HTTP server (LEADFLOW_ADMIN_PORT): /metrics, /healthz, /readyz.
  health::HttpServer& admin() { return admin_; }

  // <LEADFLOW_CONFIG_DIR>/<file>
  std::string ConfigPath(const std::string& file) const;
  // Who may call this service's gRPC API (LEADFLOW_CALLERS_FILE, default
  // <LEADFLOW_CONFIG_DIR>/callers.json), loaded and validated; an error names
  // the file and the field.
  StatusOr<std::unique_ptr<auth::RegistryCallerIdentifier>> LoadCallers() const;

  // A consumer loop in group "leadflow-<service>-<group_suffix>", run on its own thread.
  Status AddConsumer(const std::string& group_suffix, std::vector<std::string> topics,
                     kafka::MessageHandler handler, leadflow::common::v1::Stage stage);
  // The same with a handler called once per consumer batch (kafka::BatchHandler).
  Status AddConsumer(const std::string& group_suffix, std::vector<std::string> topics,
                     kafka::BatchHandler handler, leadflow::common::v1::Stage stage);
  // A materialised view of `topic` in Redis (view::TopicView), kept on its
  // own thread. /readyz reports "view:<name>" failing until the view has
  // caught up with the topic's end offsets as of start-up, and again while it
  // rebuilds after Redis lost it. The store must outlive Run().
  Status AddView(view::ViewStore& store, const std::string& topic, view::ApplyFn apply,
                 view::SizeFn size, leadflow::common::v1::Stage stage);
  // Registered on the gRPC server; the service object must outlive Run().
  void AddGrpcService(grpc::Service* service);
  // Called when shutdown begins, before consumers stop (e.g. to end streams).
  void OnShutdown(std::function<void()> fn);
  // Runs a background task until shutdown (e.g. a scheduler). It gets the stop flag.
  void AddBackgroundTask(std::string name, std::function<void(const std::atomic<bool>&)> task);

  // Keeps a component the wiring made alive until the service has stopped, so
  // main() declares no owner per component. Kept components are destroyed in
  // the reverse order of their making, after the loops and threads have
  // stopped and before the runtime's own clients (Redis, the producer).
  template <class T>
  T& Keep(std::unique_ptr<T> component) {
    T& ref = *component;
    kept_.push_back(std::shared_ptr<void>(std::move(component)));
    return ref;
  }
  template <class T, class... Args>
  T& Make(Args&&... args) {
    return Keep(std::make_unique<T>(std::forward<Args>(args)...));
  }

  // Starts everything, waits for a shutdown signal, stops in order. Returns the exit code.
  int Run();

 private:
  struct Loop;
  // Exactly one of the two handlers is set.
  Status AddConsumerLoop(const std::string& group_suffix, std::vector<std::string> topics,
                         kafka::MessageHandler handler, kafka::BatchHandler batch_handler,
                         leadflow::common::v1::Stage stage);
  ServiceInfo info_;
  config::InfraConfig infra_;
  metrics::Registry registry_;
  metrics::ServiceMetrics metrics_;
  health::Readiness readiness_;
  health::HttpServer http_;   // public
  health::HttpServer admin_;  // probes and metrics
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<redis::Client> redis_;
  // PEM contents read by Init() from LEADFLOW_TLS_* (empty: plaintext gRPC).
  std::string tls_cert_, tls_key_, tls_client_ca_;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<std::unique_ptr<view::TopicView>> views_;
  std::vector<std::thread> view_threads_;
  std::vector<grpc::Service*> grpc_services_;
  std::vector<std::function<void()>> on_shutdown_;
  std::vector<std::pair<std::string, std::function<void(const std::atomic<bool>&)>>> tasks_;
  std::vector<std::shared_ptr<void>> kept_;  // Keep(); emptied last first in the destructor
};

using WireFn = std::function<Status(ServiceRuntime&)>;

// Parses arguments (--help, --version), installs signal handling, reads the
// environment, connects, calls `wire`, then Run(). Start-up problems print one
// clear message and exit 2.
int ServiceMain(const ServiceInfo& info, int argc, char** argv, const WireFn& wire);

}  // namespace leadflow::runtime
