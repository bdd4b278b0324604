#include "stack.h"

#include <httplib.h>

#include <cstdio>
#include <thread>

#include "common/testing/service_process.h"

namespace leadflow::e2e {

const std::vector<std::string>& Stack::ServiceNames() {
  static const std::vector<std::string> names = {"intake", "scoring", "routing", "nurture"};
  return names;
}

std::unique_ptr<Stack> Stack::Start(std::string* error) { return Start(StackOptions{}, error); }

std::unique_ptr<Stack> Stack::Start(const StackOptions& options, std::string* error) {
  std::unique_ptr<Stack> s(new Stack());
  s->dir_ = testing::TempDir::Create("leadflow-e2e", error);
  if (!s->dir_) return nullptr;
  testing::RedisServerOptions ropts;
  ropts.appendonly = options.redis_appendonly;
  s->redis_ = testing::RedisServer::Start(ropts, error);
  if (!s->redis_) return nullptr;
  testing::DevKafkaOptions kopts;
  kopts.quiet = true;
  kopts.brokers = options.kafka_brokers;
  s->kafka_ = testing::DevKafka::Start(kopts, error);
  if (!s->kafka_) return nullptr;

  const auto origin_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (const auto& name : ServiceNames()) {
    testing::ServiceProcessOptions so;
    so.service = name;
    so.kafka_bootstrap = s->kafka_->bootstrap();
    so.redis_url = s->redis_->url();
    so.config_dir = options.config_dir;
    so.work_dir = s->dir_->path();
    testing::ChildProcessOptions o = testing::MakeServiceProcessOptions(so);
    if (name == "nurture") {
      o.env["LEADFLOW_NURTURE_TIME_ORIGIN_MS"] = std::to_string(origin_ms);
      o.env["LEADFLOW_NURTURE_TIME_START_MS"] = std::to_string(kNurtureScheduleStartMs);
      // A stable identity, as a pod has: a restarted nurture takes its
      // scheduler lease back at once instead of waiting for it to expire.
      o.env["LEADFLOW_INSTANCE_ID"] = "nurture-e2e-0";
    }
    if (auto it = options.env.find(name); it != options.env.end()) {
      for (const auto& [k, v] : it->second) o.env[k] = v;
    }
    s->options_[name] = o;
    auto proc = testing::ChildProcess::Start(o, error);
    if (!proc) return nullptr;
    s->services_[name] = std::move(proc);
  }
  for (const auto& name : ServiceNames()) {
    testing::ServicePorts ports;
    if (!testing::WaitForServiceReady(s->options_[name], s->services_[name].get(), &ports, error)) {
      return nullptr;
    }
    s->ports_[name] = {ports.grpc_port, ports.http_port, ports.admin_port};
  }
  return s;
}

int Stack::Terminate(const std::string& service) {
  return services_.at(service)->Terminate(std::chrono::seconds(20));
}

int Stack::Kill(const std::string& service) { return services_.at(service)->Kill(); }

bool Stack::Restart(const std::string& service, std::string* error) {
  testing::ChildProcessOptions o = options_.at(service);
  const std::string ready_file = o.env.at("LEADFLOW_READY_FILE");
  std::remove(ready_file.c_str());
  o.log_name = service + "-restart" + std::to_string(++restarts_);
  auto proc = testing::ChildProcess::Start(o, error);
  if (!proc) return false;
  testing::ServicePorts ports;
  if (!testing::WaitForServiceReady(o, proc.get(), &ports, error)) return false;
  ports_[service] = {ports.grpc_port, ports.http_port, ports.admin_port};
  services_[service] = std::move(proc);
  return true;
}

std::string Stack::Logs(const std::string& service) const {
  const auto& p = services_.at(service);
  std::string err = p->ReadStderr();
  if (err.size() > 4000) err = "..." + err.substr(err.size() - 4000);
  return err;
}

std::string Stack::FullLogs(const std::string& service) const {
  const auto& p = services_.at(service);
  return p->ReadStdout() + p->ReadStderr();
}

std::string HttpGet(int port, const std::string& path, int* status) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  auto res = client.Get(path.c_str());
  if (status) *status = res ? res->status : -1;
  return res ? res->body : "";
}

double MetricValue(int port, const std::string& series) {
  const std::string text = HttpGet(port, "/metrics");
  const auto at = text.find("\n" + series + " ");  // a sample line, not # HELP
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

}  // namespace leadflow::e2e
