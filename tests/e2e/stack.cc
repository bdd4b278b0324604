#include "stack.h"

#include <httplib.h>

#include <cstdlib>
#include <regex>

namespace leadflow::e2e {
namespace {

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : fallback;
}

int JsonInt(const std::string& json, const std::string& field) {
  std::smatch m;
  if (std::regex_search(json, m, std::regex("\"" + field + "\":(\\d+)"))) return std::stoi(m[1]);
  return 0;
}

}  // namespace

const std::vector<std::string>& Stack::ServiceNames() {
  static const std::vector<std::string> names = {"intake", "scoring", "routing", "nurture"};
  return names;
}

std::unique_ptr<Stack> Stack::Start(std::string* error) {
  std::unique_ptr<Stack> s(new Stack());
  s->dir_ = testing::TempDir::Create("leadflow-e2e", error);
  if (!s->dir_) return nullptr;
  s->redis_ = testing::RedisServer::Start({}, error);
  if (!s->redis_) return nullptr;
  testing::DevKafkaOptions kopts;
  kopts.quiet = true;
  s->kafka_ = testing::DevKafka::Start(kopts, error);
  if (!s->kafka_) return nullptr;

  const std::string bin_dir = Env("LEADFLOW_BIN_DIR", LEADFLOW_BIN_DIR_DEFAULT);
  const std::string config_dir = Env("LEADFLOW_SOURCE_DIR", LEADFLOW_SOURCE_DIR_DEFAULT) + "/config";
  for (const auto& name : ServiceNames()) {
    testing::ChildProcessOptions o;
    o.binary = bin_dir + "/leadflow-" + name;
    o.env = {{"LEADFLOW_KAFKA_BROKERS", s->kafka_->bootstrap()},
             {"LEADFLOW_REDIS_URL", s->redis_->url()},
             {"LEADFLOW_HTTP_PORT", "0"},
             {"LEADFLOW_GRPC_PORT", "0"},
             {"LEADFLOW_BIND_ADDRESS", "127.0.0.1"},
             {"LEADFLOW_CONFIG_DIR", config_dir},
             {"LEADFLOW_READY_FILE", s->dir_->File(name + ".ready")}};
    o.log_dir = s->dir_->path();
    o.log_name = name;
    auto proc = testing::ChildProcess::Start(o, error);
    if (!proc) return nullptr;
    s->services_[name] = std::move(proc);
  }
  for (const auto& name : ServiceNames()) {
    auto ready = testing::WaitForFile(s->dir_->File(name + ".ready"), std::chrono::seconds(30),
                                      s->services_[name].get());
    if (!ready) {
      if (error) *error = "leadflow-" + name + " did not become ready:\n" + s->Logs(name);
      return nullptr;
    }
    s->ports_[name] = {JsonInt(*ready, "grpc_port"), JsonInt(*ready, "http_port")};
  }
  return s;
}

int Stack::Terminate(const std::string& service) {
  return services_.at(service)->Terminate(std::chrono::seconds(20));
}

std::string Stack::Logs(const std::string& service) const {
  const auto& p = services_.at(service);
  std::string err = p->ReadStderr();
  if (err.size() > 4000) err = "..." + err.substr(err.size() - 4000);
  return err;
}

std::string HttpGet(int port, const std::string& path, int* status) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  auto res = client.Get(path.c_str());
  if (status) *status = res ? res->status : -1;
  return res ? res->body : "";
}

}  // namespace leadflow::e2e
