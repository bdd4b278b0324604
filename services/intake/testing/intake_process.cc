#include "intake/testing/intake_process.h"

#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace leadflow::intake::testing {
namespace {

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : fallback;
}

}  // namespace

std::unique_ptr<IntakeProcess> IntakeProcess::Start(const IntakeProcessOptions& options,
                                                    std::string* error) {
  std::unique_ptr<IntakeProcess> p(new IntakeProcess());
  p->dir_ = leadflow::testing::TempDir::Create("leadflow-intake-it", error);
  if (!p->dir_) return nullptr;

  const std::string source_dir = Env("LEADFLOW_SOURCE_DIR", LEADFLOW_SOURCE_DIR_DEFAULT);
  std::ifstream in(source_dir + "/config/intake.json");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json config = nlohmann::json::parse(text.str(), nullptr, false);
  if (config.is_discarded()) {
    if (error) *error = "cannot read " + source_dir + "/config/intake.json";
    return nullptr;
  }
  if (options.edit_config) options.edit_config(config);
  std::ofstream(p->dir_->File("intake.json")) << config.dump(2);

  p->redis_ = leadflow::testing::RedisServer::Start({}, error);
  if (!p->redis_) return nullptr;
  leadflow::testing::DevKafkaOptions kopts;
  kopts.quiet = true;
  p->kafka_ = leadflow::testing::DevKafka::Start(kopts, error);
  if (!p->kafka_) return nullptr;

  leadflow::testing::ChildProcessOptions o;
  o.binary = Env("LEADFLOW_BIN_DIR", LEADFLOW_BIN_DIR_DEFAULT) + "/leadflow-intake";
  o.env = {{"LEADFLOW_KAFKA_BROKERS", p->kafka_->bootstrap()},
           {"LEADFLOW_REDIS_URL", p->redis_->url()},
           {"LEADFLOW_HTTP_PORT", "0"},
           {"LEADFLOW_GRPC_PORT", "0"},
           {"LEADFLOW_BIND_ADDRESS", "127.0.0.1"},
           {"LEADFLOW_CONFIG_DIR", p->dir_->path()},
           {"LEADFLOW_READY_FILE", p->dir_->File("intake.ready")}};
  o.log_dir = p->dir_->path();
  o.log_name = "intake";
  p->intake_ = leadflow::testing::ChildProcess::Start(o, error);
  if (!p->intake_) return nullptr;
  auto ready = leadflow::testing::WaitForFile(p->dir_->File("intake.ready"),
                                              std::chrono::seconds(30), p->intake_.get());
  if (!ready) {
    if (error) *error = "leadflow-intake did not become ready:\n" + p->Logs();
    return nullptr;
  }
  const nlohmann::json info = nlohmann::json::parse(*ready, nullptr, false);
  if (info.is_discarded() || !info.contains("grpc_port") || !info.contains("http_port")) {
    if (error) *error = "unreadable ready file: " + *ready;
    return nullptr;
  }
  p->grpc_port_ = info["grpc_port"].get<int>();
  p->http_port_ = info["http_port"].get<int>();
  return p;
}

std::string IntakeProcess::Logs() const {
  std::string err = intake_ ? intake_->ReadStderr() : "";
  if (err.size() > 4000) err = "..." + err.substr(err.size() - 4000);
  return err;
}

std::string IntakeProcess::Metrics() const {
  httplib::Client client("127.0.0.1", http_port_);
  client.set_connection_timeout(2);
  auto res = client.Get("/metrics");
  return res ? res->body : "";
}

double IntakeProcess::MetricValue(const std::string& sample) const {
  std::istringstream lines(Metrics());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > sample.size() && line.compare(0, sample.size(), sample) == 0 &&
        line[sample.size()] == ' ') {
      return std::strtod(line.c_str() + sample.size() + 1, nullptr);
    }
  }
  return -1;
}

}  // namespace leadflow::intake::testing
