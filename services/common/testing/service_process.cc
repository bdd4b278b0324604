#include "common/testing/service_process.h"

#include <httplib.h>

#include <cstdio>
#include <regex>
#include <thread>

#include "common/testing/paths.h"

namespace leadflow::testing {
namespace {

int JsonInt(const std::string& json, const std::string& field) {
  std::smatch m;
  if (std::regex_search(json, m, std::regex("\"" + field + "\":\\s*(\\d+)"))) {
    return std::stoi(m[1]);
  }
  return 0;
}

}  // namespace

ChildProcessOptions MakeServiceProcessOptions(const ServiceProcessOptions& options) {
  ChildProcessOptions o;
  o.binary = BinPath("leadflow-" + options.service);
  o.env = {{"LEADFLOW_KAFKA_BROKERS", options.kafka_bootstrap},
           {"LEADFLOW_REDIS_URL", options.redis_url},
           {"LEADFLOW_HTTP_PORT", "0"},
           {"LEADFLOW_ADMIN_PORT", "0"},
           {"LEADFLOW_GRPC_PORT", "0"},
           {"LEADFLOW_BIND_ADDRESS", "127.0.0.1"},
           {"LEADFLOW_CONFIG_DIR",
            options.config_dir.empty() ? SourcePath("config") : options.config_dir},
           {"LEADFLOW_READY_FILE", options.work_dir + "/" + options.service + ".ready"},
           // The repository's demo callers (scoring and nurture), whatever
           // config_dir a test writes; a test may point it elsewhere.
           {"LEADFLOW_CALLERS_FILE", SourcePath("config/callers.json")},
           // intake's contact-id key (the unit tests' TestContactIdKey()).
           {"LEADFLOW_CONTACT_ID_KEY", "leadflow-test-contact-id-key-not-a-secret"}};
  for (const auto& [k, v] : options.env) o.env[k] = v;
  o.log_dir = options.work_dir;
  o.log_name = options.service;
  return o;
}

bool WaitForServiceReady(const ChildProcessOptions& options, ChildProcess* process,
                         ServicePorts* ports, std::string* error, std::chrono::seconds timeout) {
  const auto ready = WaitForFile(options.env.at("LEADFLOW_READY_FILE"), timeout, process);
  if (!ready) {
    if (error) *error = options.binary + " did not become ready:\n" + process->ReadStderr();
    return false;
  }
  ports->grpc_port = JsonInt(*ready, "grpc_port");
  ports->http_port = JsonInt(*ready, "http_port");
  ports->admin_port = JsonInt(*ready, "admin_port");
  if (ports->grpc_port == 0 || ports->admin_port == 0) {
    if (error) *error = options.binary + ": unreadable ready file: " + *ready;
    return false;
  }
  return true;
}

bool WaitForServiceReadyz(int admin_port, std::string* error, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  std::string last = "no answer";
  while (std::chrono::steady_clock::now() < end) {
    httplib::Client client("127.0.0.1", admin_port);
    client.set_connection_timeout(1);
    client.set_read_timeout(2);
    auto res = client.Get("/readyz");
    if (res && res->status == 200) return true;
    if (res) last = std::to_string(res->status) + " " + res->body;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (error) *error = "/readyz on port " + std::to_string(admin_port) + ": " + last;
  return false;
}

std::unique_ptr<ChildProcess> StartService(const ServiceProcessOptions& options,
                                           ServicePorts* ports, std::string* error) {
  const ChildProcessOptions o = MakeServiceProcessOptions(options);
  std::remove(o.env.at("LEADFLOW_READY_FILE").c_str());
  auto process = ChildProcess::Start(o, error);
  if (!process) return nullptr;
  if (!WaitForServiceReady(o, process.get(), ports, error)) return nullptr;
  return process;
}

}  // namespace leadflow::testing
