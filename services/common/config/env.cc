#include "common/config/env.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace leadflow::config {
namespace {

std::string Get(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}

StatusOr<int> GetPort(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  long port = std::strtol(v, &end, 10);
  if (*end != '\0' || port < 0 || port > 65535) {
    return Status::InvalidArgument(std::string(name) + "=\"" + v +
                                   "\" is not a port number (0-65535)");
  }
  return static_cast<int>(port);
}

}  // namespace

StatusOr<std::map<std::string, std::string>> ParseProperties(const std::string& text,
                                                             const std::string& var_name) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(';', pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument(var_name + ": \"" + item + "\" is not of the form key=value");
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

StatusOr<InfraConfig> LoadInfraConfigFromEnv() {
  InfraConfig c;
  c.kafka_brokers = Get("LEADFLOW_KAFKA_BROKERS", "");
  if (c.kafka_brokers.empty()) {
    return Status::InvalidArgument(
        "LEADFLOW_KAFKA_BROKERS is not set (e.g. 127.0.0.1:9092; leadflow-devkafka prints one)");
  }
  auto props = ParseProperties(Get("LEADFLOW_KAFKA_PROPERTIES", ""), "LEADFLOW_KAFKA_PROPERTIES");
  if (!props.ok()) return props.status();
  c.kafka_properties = *props;
  c.redis_url = Get("LEADFLOW_REDIS_URL", "redis://127.0.0.1:6379");
  if (c.redis_url.rfind("redis://", 0) != 0) {
    return Status::InvalidArgument("LEADFLOW_REDIS_URL=\"" + c.redis_url +
                                   "\" must start with redis://");
  }
  auto http = GetPort("LEADFLOW_HTTP_PORT", 8080);
  if (!http.ok()) return http.status();
  c.http_port = *http;
  auto grpc = GetPort("LEADFLOW_GRPC_PORT", 50051);
  if (!grpc.ok()) return grpc.status();
  c.grpc_port = *grpc;
  c.bind_address = Get("LEADFLOW_BIND_ADDRESS", "0.0.0.0");
  c.config_dir = Get("LEADFLOW_CONFIG_DIR", "config");
  c.ready_file = Get("LEADFLOW_READY_FILE", "");
  c.log_level = Get("LEADFLOW_LOG_LEVEL", "info");
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  c.instance_id = Get("LEADFLOW_INSTANCE_ID", std::string(host) + "-" + std::to_string(getpid()));
  c.tls_cert_file = Get("LEADFLOW_TLS_CERT_FILE", "");
  c.tls_key_file = Get("LEADFLOW_TLS_KEY_FILE", "");
  c.tls_client_ca_file = Get("LEADFLOW_TLS_CLIENT_CA_FILE", "");
  c.tls_client_auth = Get("LEADFLOW_TLS_CLIENT_AUTH", c.tls_client_ca_file.empty() ? "" : "require");
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return Status::InvalidArgument(
        "LEADFLOW_TLS_CERT_FILE and LEADFLOW_TLS_KEY_FILE must be set together");
  }
  if (!c.tls_client_ca_file.empty() && c.tls_cert_file.empty()) {
    return Status::InvalidArgument("LEADFLOW_TLS_CLIENT_CA_FILE needs LEADFLOW_TLS_CERT_FILE");
  }
  if (!c.tls_client_ca_file.empty() && c.tls_client_auth != "require" &&
      c.tls_client_auth != "optional") {
    return Status::InvalidArgument("LEADFLOW_TLS_CLIENT_AUTH=\"" + c.tls_client_auth +
                                   "\" must be require or optional");
  }
  return c;
}

std::string EnvHelp() {
  return R"(Environment:
  LEADFLOW_KAFKA_BROKERS     bootstrap servers (required), e.g. 127.0.0.1:9092
  LEADFLOW_KAFKA_PROPERTIES  extra librdkafka properties "k=v;k=v" (SASL/SSL pass-through)
  LEADFLOW_REDIS_URL         redis://[user:password@]host:port[/db]  (default redis://127.0.0.1:6379)
  LEADFLOW_HTTP_PORT         /metrics, /healthz, /readyz port (default 8080; 0 = any free port)
  LEADFLOW_GRPC_PORT         gRPC port (default 50051; 0 = any free port)
  LEADFLOW_BIND_ADDRESS      listen address (default 0.0.0.0)
  LEADFLOW_CONFIG_DIR        directory of business-rule files (default ./config)
  LEADFLOW_READY_FILE        if set, JSON {"grpc_port":..,"http_port":..} is written here once ready
  LEADFLOW_LOG_LEVEL         debug | info | warn | error (default info)
  LEADFLOW_INSTANCE_ID       instance name for logs (default hostname-pid)
  LEADFLOW_TLS_CERT_FILE     gRPC server TLS: PEM certificate chain (with LEADFLOW_TLS_KEY_FILE)
  LEADFLOW_TLS_KEY_FILE      gRPC server TLS: PEM private key
  LEADFLOW_TLS_CLIENT_CA_FILE  CA for client certificates (mutual TLS)
  LEADFLOW_TLS_CLIENT_AUTH   require (default with a client CA) | optional
)";
}

}  // namespace leadflow::config
