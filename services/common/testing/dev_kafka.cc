#include "common/testing/dev_kafka.h"

#include <httplib.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#ifndef LEADFLOW_DEVKAFKA_BINARY
#error "LEADFLOW_DEVKAFKA_BINARY must be defined by the build (path of leadflow-devkafka)"
#endif

namespace leadflow::testing {
namespace {

constexpr auto kStopTimeout = std::chrono::seconds(15);

void SetError(std::string* error, const std::string& message) {
  if (error != nullptr) *error = message;
}

}  // namespace

std::string DevKafka::BinaryPath() {
  if (const char* dir = std::getenv("LEADFLOW_BIN_DIR"); dir != nullptr && *dir != '\0') {
    std::string candidate = std::string(dir) + "/leadflow-devkafka";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return LEADFLOW_DEVKAFKA_BINARY;
}

std::unique_ptr<DevKafka> DevKafka::Start(const DevKafkaOptions& options, std::string* error) {
  std::unique_ptr<DevKafka> kafka(new DevKafka());
  kafka->dir_ = TempDir::Create("devkafka", error);
  if (!kafka->dir_) return nullptr;
  const std::string info_path = kafka->dir_->File("info.json");

  ChildProcessOptions process_options;
  process_options.binary = options.binary.empty() ? BinaryPath() : options.binary;
  process_options.args = {"--brokers", std::to_string(options.brokers), "--info-file", info_path};
  if (!options.topics_file.empty()) {
    process_options.args.push_back("--topics-file");
    process_options.args.push_back(options.topics_file);
  }
  if (options.quiet) process_options.args.push_back("--quiet");
  process_options.log_dir = kafka->dir_->path();
  kafka->process_ = ChildProcess::Start(process_options, error);
  if (!kafka->process_) return nullptr;

  std::optional<std::string> info_text =
      WaitForFile(info_path, options.start_timeout, kafka->process_.get());
  if (!info_text) {
    kafka->process_->Kill();
    SetError(error, "leadflow-devkafka did not become ready: " + kafka->process_->Describe());
    return nullptr;
  }
  nlohmann::json info = nlohmann::json::parse(*info_text, nullptr, /*allow_exceptions=*/false);
  if (info.is_discarded() || !info.contains("bootstrap") || !info.contains("control") ||
      !info["bootstrap"].is_string() || !info["control"].is_string()) {
    kafka->process_->Kill();
    SetError(error, "malformed devkafka info file: " + *info_text);
    return nullptr;
  }
  kafka->bootstrap_ = info["bootstrap"].get<std::string>();
  kafka->brokers_ = info.value("brokers", options.brokers);
  const std::string control = info["control"].get<std::string>();
  const std::size_t colon = control.rfind(':');
  kafka->control_host_ = control.substr(0, colon);
  kafka->control_port_ = std::atoi(control.substr(colon + 1).c_str());
  kafka->control_url_ = "http://" + control;
  return kafka;
}

DevKafka::~DevKafka() {
  if (process_) process_->Kill();
}

ControlResponse DevKafka::Control(const std::string& method, const std::string& path,
                                  const std::string& body) {
  httplib::Client client(control_host_, control_port_);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(10));
  client.set_write_timeout(std::chrono::seconds(5));
  auto send = [&]() -> httplib::Result {
    if (method == "GET") return client.Get(path);
    if (method == "POST") return client.Post(path, body, "application/json");
    if (method == "DELETE") return client.Delete(path, body, "application/json");
    return client.Put(path, body, "application/json");
  };
  if (method != "GET" && method != "POST" && method != "DELETE" && method != "PUT") {
    return {-1, "unsupported method " + method};
  }
  httplib::Result result = send();
  if (!result) return {-1, "request failed: " + httplib::to_string(result.error())};
  return {result->status, result->body};
}

bool DevKafka::Mutate(const std::string& method, const std::string& path, const std::string& body,
                      std::string* error) {
  ControlResponse response = Control(method, path, body);
  if (response.status != 200) {
    SetError(error, method + " " + path + " -> " + std::to_string(response.status) + " " +
                        response.body);
    return false;
  }
  return true;
}

bool DevKafka::BrokerDown(int id, std::string* error) {
  return Mutate("POST", "/brokers/" + std::to_string(id) + "/down", "", error);
}

bool DevKafka::BrokerUp(int id, std::string* error) {
  return Mutate("POST", "/brokers/" + std::to_string(id) + "/up", "", error);
}

bool DevKafka::PushRequestErrors(int16_t api_key, const std::vector<int>& errors,
                                 std::string* error) {
  nlohmann::json body = {{"api_key", api_key}, {"errors", errors}};
  return Mutate("POST", "/errors", body.dump(), error);
}

bool DevKafka::PushBrokerRequestErrors(int broker, int16_t api_key, const std::vector<int>& errors,
                                       int rtt_ms, std::string* error) {
  nlohmann::json body = {
      {"api_key", api_key}, {"errors", errors}, {"broker", broker}, {"rtt_ms", rtt_ms}};
  return Mutate("POST", "/errors", body.dump(), error);
}

bool DevKafka::ClearRequestErrors(int16_t api_key, std::string* error) {
  return Mutate("DELETE", "/errors?api_key=" + std::to_string(api_key), "", error);
}

bool DevKafka::CreateTopic(const std::string& name, int partitions, std::string* error) {
  nlohmann::json body = {{"name", name}, {"partitions", partitions}};
  return Mutate("POST", "/topics", body.dump(), error);
}

ControlResponse DevKafka::Status() { return Control("GET", "/status"); }

int DevKafka::Stop() { return process_->Terminate(kStopTimeout); }

}  // namespace leadflow::testing
