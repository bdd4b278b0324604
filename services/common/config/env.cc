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

// <prefix>CERT_FILE, KEY_FILE, CLIENT_CA_FILE and CLIENT_AUTH, validated
// together (gRPC's LEADFLOW_TLS_* and HTTP's LEADFLOW_HTTP_TLS_*).
Status LoadTls(const std::string& prefix, std::string* cert, std::string* key,
               std::string* client_ca, std::string* client_auth) {
  const std::string cert_var = prefix + "CERT_FILE", key_var = prefix + "KEY_FILE",
                    ca_var = prefix + "CLIENT_CA_FILE", auth_var = prefix + "CLIENT_AUTH";
  *cert = Get(cert_var.c_str(), "");
  *key = Get(key_var.c_str(), "");
  *client_ca = Get(ca_var.c_str(), "");
  *client_auth = Get(auth_var.c_str(), client_ca->empty() ? "" : "require");
  if (cert->empty() != key->empty()) {
    return Status::InvalidArgument(cert_var + " and " + key_var + " must be set together");
  }
  if (!client_ca->empty() && cert->empty()) {
    return Status::InvalidArgument(ca_var + " needs " + cert_var);
  }
  if (!client_ca->empty() && *client_auth != "require" && *client_auth != "optional") {
    return Status::InvalidArgument(auth_var + "=\"" + *client_auth + "\" must be require or optional");
  }
  return Status::Ok();
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
  auto admin = GetPort("LEADFLOW_ADMIN_PORT", 8081);
  if (!admin.ok()) return admin.status();
  c.admin_port = *admin;
  if (c.admin_port != 0 && c.admin_port == c.http_port) {
    return Status::InvalidArgument("LEADFLOW_ADMIN_PORT=\"" + std::to_string(c.admin_port) +
                                   "\" is also LEADFLOW_HTTP_PORT; probes and metrics need a port "
                                   "of their own (docs/operating.md, \"Ports\")");
  }
  auto grpc = GetPort("LEADFLOW_GRPC_PORT", 50051);
  if (!grpc.ok()) return grpc.status();
  c.grpc_port = *grpc;
  c.bind_address = Get("LEADFLOW_BIND_ADDRESS", "0.0.0.0");
  c.config_dir = Get("LEADFLOW_CONFIG_DIR", "config");
  c.callers_file = Get("LEADFLOW_CALLERS_FILE", c.config_dir + "/callers.json");
  c.ready_file = Get("LEADFLOW_READY_FILE", "");
  c.log_level = Get("LEADFLOW_LOG_LEVEL", "info");
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  c.instance_id = Get("LEADFLOW_INSTANCE_ID", std::string(host) + "-" + std::to_string(getpid()));
  if (Status s = LoadTls("LEADFLOW_TLS_", &c.tls_cert_file, &c.tls_key_file,
                         &c.tls_client_ca_file, &c.tls_client_auth);
      !s.ok()) {
    return s;
  }
  if (Status s = LoadTls("LEADFLOW_HTTP_TLS_", &c.http_tls_cert_file, &c.http_tls_key_file,
                         &c.http_tls_client_ca_file, &c.http_tls_client_auth);
      !s.ok()) {
    return s;
  }
  return c;
}

std::string EnvHelp() {
  return R"(Environment:
  LEADFLOW_KAFKA_BROKERS     bootstrap servers (required), e.g. 127.0.0.1:9092
  LEADFLOW_KAFKA_PROPERTIES  extra librdkafka properties "k=v;k=v" (SASL/SSL pass-through)
  LEADFLOW_REDIS_URL         redis://[user:password@]host:port[/db]  (default redis://127.0.0.1:6379)
  LEADFLOW_HTTP_PORT         public HTTP port: intake's POST /v1/leads only (default 8080; 0 = any
                             free port); services without public routes open none
  LEADFLOW_ADMIN_PORT        GET /metrics, /healthz, /readyz only, for probes and Prometheus
                             (default 8081; 0 = any free port; must differ from LEADFLOW_HTTP_PORT)
  LEADFLOW_GRPC_PORT         gRPC port (default 50051; 0 = any free port)
  LEADFLOW_BIND_ADDRESS      listen address (default 0.0.0.0)
  LEADFLOW_CONFIG_DIR        directory of business-rule files (default ./config)
  LEADFLOW_CALLERS_FILE      scoring and nurture: who may call the gRPC API, with which scopes
                             (default <LEADFLOW_CONFIG_DIR>/callers.json; see docs/security.md)
  LEADFLOW_READY_FILE        if set, JSON {"grpc_port":..,"http_port":..,"admin_port":..} is
                             written here once ready (http_port 0: no public port)
  LEADFLOW_LOG_LEVEL         debug | info | warn | error (default info)
  LEADFLOW_INSTANCE_ID       instance name for logs (default hostname-pid)
  LEADFLOW_TLS_CERT_FILE     gRPC server TLS: PEM certificate chain (with LEADFLOW_TLS_KEY_FILE)
  LEADFLOW_TLS_KEY_FILE      gRPC server TLS: PEM private key
  LEADFLOW_TLS_CLIENT_CA_FILE  CA for client certificates (mutual TLS)
  LEADFLOW_TLS_CLIENT_AUTH   require (default with a client CA) | optional
  LEADFLOW_HTTP_TLS_CERT_FILE, LEADFLOW_HTTP_TLS_KEY_FILE, LEADFLOW_HTTP_TLS_CLIENT_CA_FILE,
  LEADFLOW_HTTP_TLS_CLIENT_AUTH
                             the same for the HTTP and admin ports (HTTPS only when set;
                             independent of gRPC)
)";
}

}  // namespace leadflow::config
