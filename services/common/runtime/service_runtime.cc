#include "common/runtime/service_runtime.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "common/lifecycle/shutdown.h"
#include "common/log/log.h"
#include "common/runtime/ready_file.h"
#include "leadflow_version.h"

namespace leadflow::runtime {

struct ServiceRuntime::Loop {
  std::string name;
  std::unique_ptr<kafka::ConsumerLoop> loop;
  std::thread thread;
};

ServiceRuntime::ServiceRuntime(ServiceInfo info, config::InfraConfig infra)
    : info_(std::move(info)),
      infra_(std::move(infra)),
      metrics_(registry_, info_.name),
      admin_(registry_, readiness_) {}

ServiceRuntime::~ServiceRuntime() {
  for (auto& l : loops_) {
    if (l->thread.joinable()) l->thread.join();
  }
  for (auto& t : view_threads_) {
    if (t.joinable()) t.join();
  }
  while (!kept_.empty()) kept_.pop_back();
}

Status ServiceRuntime::Init() {
  auto read = [](const std::string& var, const std::string& path, std::string* out) -> Status {
    if (path.empty()) return Status::Ok();
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    if (!f || ss.str().empty()) return Status::InvalidArgument(var + "=\"" + path + "\" cannot be read");
    *out = ss.str();
    return Status::Ok();
  };
  if (Status s = read("LEADFLOW_TLS_CERT_FILE", infra_.tls_cert_file, &tls_cert_); !s.ok()) return s;
  if (Status s = read("LEADFLOW_TLS_KEY_FILE", infra_.tls_key_file, &tls_key_); !s.ok()) return s;
  if (Status s = read("LEADFLOW_TLS_CLIENT_CA_FILE", infra_.tls_client_ca_file, &tls_client_ca_);
      !s.ok()) {
    return s;
  }
  // HTTPS on the public and admin ports: the servers load the files
  // themselves when they start; here an unreadable one is named by its variable.
  for (const auto& [var, path] :
       {std::pair<const char*, const std::string&>{"LEADFLOW_HTTP_TLS_CERT_FILE",
                                                   infra_.http_tls_cert_file},
        {"LEADFLOW_HTTP_TLS_KEY_FILE", infra_.http_tls_key_file},
        {"LEADFLOW_HTTP_TLS_CLIENT_CA_FILE", infra_.http_tls_client_ca_file}}) {
    std::string contents;
    if (Status s = read(var, path, &contents); !s.ok()) return s;
  }
  if (!infra_.http_tls_cert_file.empty()) {
    health::HttpTlsConfig tls;
    tls.cert_file = infra_.http_tls_cert_file;
    tls.key_file = infra_.http_tls_key_file;
    tls.client_ca_file = infra_.http_tls_client_ca_file;
    tls.require_client_cert = infra_.http_tls_client_auth != "optional";
    http_.EnableTls(tls);
    admin_.EnableTls(std::move(tls));
  }
  kafka::ProducerOptions popts;
  popts.brokers = infra_.kafka_brokers;
  popts.extra_properties = infra_.kafka_properties;
  popts.client_id = "leadflow-" + info_.name;
  auto producer = kafka::MakeKafkaProducer(popts, &metrics_);
  if (!producer.ok()) return producer.status();
  producer_ = std::move(*producer);

  redis::ClientOptions ropts;
  ropts.url = infra_.redis_url;
  auto client = redis::Client::Connect(ropts);
  if (!client.ok()) {
    return Status::Unavailable("cannot reach Redis at LEADFLOW_REDIS_URL: " + client.status().message());
  }
  redis_ = std::move(*client);
  readiness_.Add("redis", [this] { return redis_->Ping(); });
  return Status::Ok();
}

std::string ServiceRuntime::ConfigPath(const std::string& file) const {
  return infra_.config_dir + "/" + file;
}

StatusOr<std::unique_ptr<auth::RegistryCallerIdentifier>> ServiceRuntime::LoadCallers() const {
  auto callers = auth::RegistryCallerIdentifier::Load(infra_.callers_file);
  if (callers.ok()) {
    log::Info("gRPC callers loaded", {{"file", infra_.callers_file},
                                      {"callers", std::to_string((*callers)->size())}});
  }
  return callers;
}

Status ServiceRuntime::AddConsumer(const std::string& group_suffix, std::vector<std::string> topics,
                                   kafka::MessageHandler handler,
                                   leadflow::common::v1::Stage stage) {
  return AddConsumerLoop(group_suffix, std::move(topics), std::move(handler), nullptr, stage);
}

Status ServiceRuntime::AddConsumer(const std::string& group_suffix, std::vector<std::string> topics,
                                   kafka::BatchHandler handler,
                                   leadflow::common::v1::Stage stage) {
  return AddConsumerLoop(group_suffix, std::move(topics), nullptr, std::move(handler), stage);
}

Status ServiceRuntime::AddConsumerLoop(const std::string& group_suffix,
                                       std::vector<std::string> topics,
                                       kafka::MessageHandler handler,
                                       kafka::BatchHandler batch_handler,
                                       leadflow::common::v1::Stage stage) {
  kafka::ConsumerOptions copts;
  copts.brokers = infra_.kafka_brokers;
  copts.extra_properties = infra_.kafka_properties;
  copts.group_id = "leadflow-" + info_.name + "-" + group_suffix;
  copts.topics = topics;
  copts.client_id = "leadflow-" + info_.name;
  auto consumer = kafka::MakeKafkaConsumer(copts, &metrics_);
  if (!consumer.ok()) return consumer.status();
  kafka::ConsumerLoopOptions lopts;
  lopts.stage = stage;
  lopts.name = info_.name + ":" + group_suffix;
  auto loop = std::make_unique<Loop>();
  loop->name = lopts.name;
  loop->loop = batch_handler
                   ? std::make_unique<kafka::ConsumerLoop>(std::move(*consumer), *producer_,
                                                           std::move(batch_handler), &metrics_,
                                                           clock(), lopts)
                   : std::make_unique<kafka::ConsumerLoop>(std::move(*consumer), *producer_,
                                                           std::move(handler), &metrics_, clock(),
                                                           lopts);
  kafka::ConsumerLoop* raw = loop->loop.get();
  readiness_.Add("kafka:" + lopts.name, [raw] { return raw->healthy(); });
  readiness_.Add("progress:" + lopts.name, [raw] { return !raw->stalled(); });
  loops_.push_back(std::move(loop));
  return Status::Ok();
}

Status ServiceRuntime::AddView(view::ViewStore& store, const std::string& topic,
                               view::ApplyFn apply, view::SizeFn size,
                               leadflow::common::v1::Stage stage) {
  kafka::PartitionReaderOptions ropts;
  ropts.brokers = infra_.kafka_brokers;
  ropts.extra_properties = infra_.kafka_properties;
  ropts.topic = topic;
  ropts.client_id = "leadflow-" + info_.name;
  ropts.group_id = "leadflow-" + info_.name + "-view";
  auto reader = kafka::MakePartitionReader(ropts);
  if (!reader.ok()) return reader.status();
  view::TopicViewOptions vopts;
  vopts.stage = stage;
  auto v = std::make_unique<view::TopicView>(std::move(*reader), store, *producer_, std::move(apply),
                                             std::move(size), &metrics_, clock(), vopts);
  view::TopicView* raw = v.get();
  readiness_.Add("view:" + raw->name(), [raw] { return raw->ready(); });
  views_.push_back(std::move(v));
  return Status::Ok();
}

void ServiceRuntime::AddGrpcService(grpc::Service* service) { grpc_services_.push_back(service); }

void ServiceRuntime::OnShutdown(std::function<void()> fn) { on_shutdown_.push_back(std::move(fn)); }

void ServiceRuntime::AddBackgroundTask(std::string name,
                                       std::function<void(const std::atomic<bool>&)> task) {
  tasks_.emplace_back(std::move(name), std::move(task));
}

int ServiceRuntime::Run() {
  std::atomic<bool> shutting_down{false};
  readiness_.Add("not-shutting-down", [&shutting_down] { return !shutting_down.load(); });

  // Probes and metrics on their own port and workers, so clients of the
  // public port cannot starve them (docs/operating.md, "Ports").
  auto admin_port = admin_.Start(infra_.bind_address, infra_.admin_port);
  if (!admin_port.ok()) {
    log::Error("start-up failed",
               {{"error", "LEADFLOW_ADMIN_PORT: " + admin_port.status().message()}});
    return 2;
  }
  // The public port only for a service that serves something there (intake).
  StatusOr<int> http_port = 0;
  if (http_.HasRoutes()) http_port = http_.Start(infra_.bind_address, infra_.http_port);
  if (!http_port.ok()) {
    log::Error("start-up failed",
               {{"error", "LEADFLOW_HTTP_PORT: " + http_port.status().message()}});
    return 2;
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  // Bounded gRPC: a synchronous server runs each call (and each open stream)
  // on a thread of its own, so the threads are capped by a resource quota
  // (a call over the cap fails RESOURCE_EXHAUSTED instead of spawning a
  // thread), and one connection may open at most kMaxStreamsPerConnection
  // concurrent streams (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS).
  constexpr int kMaxGrpcThreads = 128;
  constexpr int kMaxStreamsPerConnection = 64;
  grpc::ResourceQuota quota("leadflow-" + info_.name + "-grpc");
  quota.SetMaxThreads(kMaxGrpcThreads);
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, kMaxStreamsPerConnection);
  int grpc_port = 0;
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!tls_cert_.empty()) {
    grpc::SslServerCredentialsOptions ssl(
        tls_client_ca_.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
        : infra_.tls_client_auth == "optional"
            ? GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = tls_client_ca_;
    ssl.pem_key_cert_pairs.push_back({tls_key_, tls_cert_});
    creds = grpc::SslServerCredentials(ssl);
  }
  builder.AddListeningPort(infra_.bind_address + ":" + std::to_string(infra_.grpc_port), creds,
                           &grpc_port);
  for (auto* s : grpc_services_) builder.RegisterService(s);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || grpc_port == 0) {
    log::Error("start-up failed",
               {{"error", "gRPC cannot listen on " + infra_.bind_address + ":" +
                              std::to_string(infra_.grpc_port)}});
    return 2;
  }
  auto* health = server->GetHealthCheckService();
  health->SetServingStatus(true);

  const std::atomic<bool>& stop = lifecycle::Shutdown::Requested();
  for (auto& v : views_) {
    view::TopicView* raw = v.get();
    view_threads_.emplace_back([raw, &stop] { raw->Run(stop); });
  }
  for (auto& l : loops_) {
    kafka::ConsumerLoop* raw = l->loop.get();
    l->thread = std::thread([raw, &stop] { raw->Run(stop); });
  }
  std::vector<std::thread> task_threads;
  for (auto& [name, task] : tasks_) {
    task_threads.emplace_back([&task = task, &stop] { task(stop); });
  }

  if (!infra_.ready_file.empty()) {
    if (Status s = WriteReadyFile(infra_.ready_file, grpc_port, *http_port, *admin_port); !s.ok()) {
      log::Error("start-up failed", {{"error", s.message()}});
      lifecycle::Shutdown::RequestStop();
    }
  }
  log::Info("service started", {{"version", LEADFLOW_VERSION},
                                {"grpc_port", std::to_string(grpc_port)},
                                {"http_port", std::to_string(*http_port)},
                                {"admin_port", std::to_string(*admin_port)},
                                {"instance", infra_.instance_id}});

  lifecycle::Shutdown::Wait();

  log::Info("shutting down");
  shutting_down = true;
  health->SetServingStatus(false);
  for (auto& fn : on_shutdown_) fn();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  for (auto& l : loops_) {
    if (l->thread.joinable()) l->thread.join();
  }
  for (auto& t : task_threads) t.join();
  for (auto& t : view_threads_) t.join();
  Status flushed = producer_->Flush(std::chrono::seconds(10));
  http_.Stop();
  admin_.Stop();
  if (lifecycle::Shutdown::Failed()) {
    // A fatal error (e.g. RD_KAFKA_RESP_ERR__FATAL): exit non-zero so the
    // orchestrator restarts the process instead of keeping a zombie.
    log::Error("stopped after a fatal error",
               {{"reason", lifecycle::Shutdown::FatalReason()},
                {"exit_code", std::to_string(lifecycle::kFatalExitCode)}});
    return lifecycle::kFatalExitCode;
  }
  if (!flushed.ok()) {
    log::Error("shutdown: producer flush failed", {{"error", flushed.message()}});
    return 1;
  }
  log::Info("stopped cleanly");
  return 0;
}

int ServiceMain(const ServiceInfo& info, int argc, char** argv, const WireFn& wire) {
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::printf("leadflow-%s %s\n\n%s\n\nUsage: leadflow-%s [--help] [--version]\n\n%s\n%s",
                  info.name.c_str(), LEADFLOW_VERSION, info.summary.c_str(), info.name.c_str(),
                  config::EnvHelp().c_str(), info.config_files.c_str());
      std::printf(
          "\nEndpoints: gRPC (with grpc.health.v1) on LEADFLOW_GRPC_PORT; HTTP GET /metrics, "
          "/healthz, /readyz on LEADFLOW_ADMIN_PORT; the service's public HTTP routes, if any, "
          "on LEADFLOW_HTTP_PORT.\nSIGTERM or Ctrl-C: stop consuming, flush, "
          "commit, exit 0.\nA fatal error (e.g. a fatal Kafka client error): /healthz answers "
          "503, the same stop, exit %d (within %d s).\n",
          lifecycle::kFatalExitCode, static_cast<int>(lifecycle::kFatalExitDeadline.count()));
      return 0;
    }
    if (!std::strcmp(argv[i], "--version")) {
      std::printf("leadflow-%s %s\n", info.name.c_str(), LEADFLOW_VERSION);
      return 0;
    }
    std::fprintf(stderr, "leadflow-%s: unknown argument \"%s\" (try --help)\n", info.name.c_str(),
                 argv[i]);
    return 2;
  }
  lifecycle::Shutdown::Install();
  auto infra = config::LoadInfraConfigFromEnv();
  if (!infra.ok()) {
    std::fprintf(stderr, "leadflow-%s: %s\n", info.name.c_str(), infra.status().message().c_str());
    return 2;
  }
  log::Init(info.name, log::ParseLevel(infra->log_level));
  ServiceRuntime rt(info, *infra);
  if (Status s = rt.Init(); !s.ok()) {
    std::fprintf(stderr, "leadflow-%s: %s\n", info.name.c_str(), s.message().c_str());
    return 2;
  }
  if (Status s = wire(rt); !s.ok()) {
    std::fprintf(stderr, "leadflow-%s: %s\n", info.name.c_str(), s.message().c_str());
    return 2;
  }
  return rt.Run();
}

}  // namespace leadflow::runtime
