// The HTTP side of every service: GET /metrics (Prometheus text), /healthz
// (alive: 200, or 503 once lifecycle::Shutdown::Failed()), /readyz (every
// readiness check passes), plus routes a service adds
// (e.g. intake's POST /v1/leads). Handlers run on the server's worker threads
// and must be thread-safe. Start() binds (port 0 picks a free port) and serves
// on background threads; Stop() is idempotent and called by the destructor.
// With EnableTls() it serves HTTPS only (TLS 1.2+), optionally verifying
// client certificates against a CA (mutual TLS, required or optional).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/util/status.h"

namespace leadflow::metrics {
class Registry;
}
namespace leadflow::health {

class Readiness;

struct HttpRequest {
  std::string method;
  std::string path;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string remote_addr;
  // Subject CN of the client certificate the TLS handshake verified (HTTPS
  // with a client CA); empty on plain HTTP or without a client certificate.
  std::string client_cert_cn;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// PEM files for HTTPS (docs/security.md).
struct HttpTlsConfig {
  std::string cert_file;       // certificate chain, server certificate first
  std::string key_file;        // private key of that certificate
  std::string client_ca_file;  // CA bundle for client certificates; empty: none requested
  // With a client CA: true refuses a connection without a valid client
  // certificate; false asks for one, and a certificate presented must be valid.
  bool require_client_cert = true;
};

class HttpServer {
 public:
  HttpServer(metrics::Registry& metrics, Readiness& readiness);
  ~HttpServer();

  // Must be called before Start().
  void Handle(const std::string& method, const std::string& path, HttpHandler handler);
  // Largest accepted request body; larger ones get 413 before any handler runs.
  void SetMaxBodyBytes(size_t bytes);
  // Serve HTTPS instead of HTTP. Must be called before Start().
  void EnableTls(HttpTlsConfig tls);

  // Returns the bound port. Fails (naming the file) if a TLS file is unusable.
  StatusOr<int> Start(const std::string& address, int port);
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadflow::health
