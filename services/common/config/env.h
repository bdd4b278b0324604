// Infrastructure settings from the environment (docs/architecture.md, "Conventions": endpoints and
// secrets come from env vars; business rules come from files). Read once at
// start-up, validated, then held immutable.
#pragma once

#include <map>
#include <string>

#include "common/util/status.h"

namespace leadflow::config {

struct InfraConfig {
  std::string kafka_brokers;    // LEADFLOW_KAFKA_BROKERS (required)
  // LEADFLOW_KAFKA_PROPERTIES: extra librdkafka properties "k=v;k=v", e.g.
  // security.protocol=SASL_SSL;sasl.mechanism=SCRAM-SHA-512 (passed through).
  std::map<std::string, std::string> kafka_properties;
  std::string redis_url;        // LEADFLOW_REDIS_URL, default redis://127.0.0.1:6379
  // LEADFLOW_HTTP_PORT: the public port, intake's POST /v1/leads and nothing
  // else; a service without public routes opens none (0 = any).
  int http_port = 8080;
  // LEADFLOW_ADMIN_PORT: GET /metrics, /healthz, /readyz only, for the kubelet
  // and Prometheus (0 = any). Must differ from http_port unless both are 0.
  int admin_port = 8081;
  int grpc_port = 50051;        // LEADFLOW_GRPC_PORT (0 = any)
  std::string bind_address;     // LEADFLOW_BIND_ADDRESS, default 0.0.0.0
  std::string config_dir;       // LEADFLOW_CONFIG_DIR, default ./config
  // LEADFLOW_CALLERS_FILE: who may call the service's gRPC API and with which
  // scopes (leadflow.config.v1.Callers); default <config_dir>/callers.json.
  std::string callers_file;
  std::string ready_file;       // LEADFLOW_READY_FILE: JSON with bound ports, written when ready
  std::string log_level;        // LEADFLOW_LOG_LEVEL: debug|info|warn|error
  std::string instance_id;      // LEADFLOW_INSTANCE_ID, default hostname-pid
  // TLS for the gRPC server (docs/security.md). Both files or neither.
  std::string tls_cert_file;    // LEADFLOW_TLS_CERT_FILE: PEM certificate chain
  std::string tls_key_file;     // LEADFLOW_TLS_KEY_FILE: PEM private key
  // LEADFLOW_TLS_CLIENT_CA_FILE: PEM CA bundle for client certificates (mutual TLS).
  std::string tls_client_ca_file;
  // LEADFLOW_TLS_CLIENT_AUTH: "require" (default with a client CA: no
  // connection without a valid client certificate) or "optional" (a client
  // certificate, if presented, must be valid; callers may use API keys instead).
  std::string tls_client_auth;
  // TLS for the HTTP servers (both the public and the admin port), set apart
  // from gRPC's (docs/security.md): the same rules, own
  // variables LEADFLOW_HTTP_TLS_CERT_FILE, _KEY_FILE, _CLIENT_CA_FILE and
  // _CLIENT_AUTH. Unset: plain HTTP.
  std::string http_tls_cert_file;
  std::string http_tls_key_file;
  std::string http_tls_client_ca_file;
  std::string http_tls_client_auth;
};

// Reads the variables above. Errors name the variable and the bad value.
StatusOr<InfraConfig> LoadInfraConfigFromEnv();

// Parses "k=v;k=v" (used for LEADFLOW_KAFKA_PROPERTIES).
StatusOr<std::map<std::string, std::string>> ParseProperties(const std::string& text,
                                                             const std::string& var_name);

// The help text block listing every variable above; shared by every --help.
std::string EnvHelp();

}  // namespace leadflow::config
