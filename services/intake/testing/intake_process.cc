#include "intake/testing/intake_process.h"

#include <httplib.h>

#include <fstream>
#include <sstream>

#include "common/testing/paths.h"
#include "common/testing/service_process.h"

namespace leadflow::intake::testing {

std::unique_ptr<IntakeProcess> IntakeProcess::Start(const IntakeProcessOptions& options,
                                                    std::string* error) {
  std::unique_ptr<IntakeProcess> p(new IntakeProcess());
  p->dir_ = leadflow::testing::TempDir::Create("leadflow-intake-it", error);
  if (!p->dir_) return nullptr;

  const std::string shipped = leadflow::testing::SourcePath("config/intake.json");
  std::ifstream in(shipped);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json config = nlohmann::json::parse(text.str(), nullptr, false);
  if (config.is_discarded()) {
    if (error) *error = "cannot read " + shipped;
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

  leadflow::testing::ServiceProcessOptions o;
  o.service = "intake";
  o.kafka_bootstrap = p->kafka_->bootstrap();
  o.redis_url = p->redis_->url();
  o.config_dir = p->dir_->path();
  o.work_dir = p->dir_->path();
  leadflow::testing::ServicePorts ports;
  p->intake_ = leadflow::testing::StartService(o, &ports, error);
  if (!p->intake_) return nullptr;
  p->grpc_port_ = ports.grpc_port;
  p->http_port_ = ports.http_port;
  p->admin_port_ = ports.admin_port;
  // The ready file comes before the registry view has caught up; leads
  // submitted meanwhile get 503, so wait for /readyz.
  if (!leadflow::testing::WaitForServiceReadyz(p->admin_port_, error)) return nullptr;
  return p;
}

std::string IntakeProcess::Logs() const {
  std::string err = intake_ ? intake_->ReadStderr() : "";
  if (err.size() > 4000) err = "..." + err.substr(err.size() - 4000);
  return err;
}

std::string IntakeProcess::Metrics() const {
  httplib::Client client("127.0.0.1", admin_port_);
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
