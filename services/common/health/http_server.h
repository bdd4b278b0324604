// The HTTP servers of every service (docs/operating.md, "Ports"):
//  - the admin server, made with HttpServer(metrics, readiness), answers
//    GET /metrics (Prometheus text), /healthz (alive: 200, or 503 once
//    lifecycle::Shutdown::Failed()) and /readyz (every readiness check
//    passes) on LEADFLOW_ADMIN_PORT, for the kubelet and Prometheus only;
//  - the public server, made with HttpServer(), answers only the routes a
//    service adds with Handle() (intake's POST /v1/leads) on
//    LEADFLOW_HTTP_PORT. A service that adds none opens no public port.
// Each server has its own workers, so clients of one can never starve the
// other: a slowloris on /v1/leads leaves /readyz answering at once.
//
// Limits (HttpLimits; every connection, plain or TLS):
//  - a bounded worker pool (64 threads public, 8 admin); a connection holds a
//    worker while it is served or kept alive;
//  - at most 256 (public) / 64 (admin) connections served or queued; one over
//    the cap gets "503 Service Unavailable" (plain HTTP) or is closed (TLS) at
//    once, on the accepting thread, without reading it;
//  - a request's line, headers and body must arrive within 10 s of the
//    connection's accept (first request) or of its first byte (later
//    keep-alive requests), the TLS handshake included; any single read waits
//    at most 5 s. A client too slow gets at most a 400 and the connection is
//    closed, so a slowloris holds a worker for 10 s, not forever;
//  - writing a response may take 10 s in all (5 s per wait);
//  - keep-alive: 5 s idle, at most 100 requests per connection.
//
// Handlers run on the server's worker threads and must be thread-safe.
// Start() binds (port 0 picks a free port) and serves on background threads;
// Stop() is idempotent, called by the destructor, and ends within about
// 100 ms plus the slowest running handler. With EnableTls() the server speaks
// HTTPS only (TLS 1.2+), optionally verifying client certificates against a
// CA (mutual TLS, required or optional).
#pragma once

#include <chrono>
#include <cstddef>
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

// What one server lets its clients use (see the file comment for the why).
struct HttpLimits {
  // Worker threads. A keep-alive connection holds its worker while it idles,
  // and intake's POST /v1/leads waits for a Kafka delivery report, so fewer
  // would queue clients behind idle ones. Idle threads cost no CPU.
  size_t worker_threads = 64;
  // Connections served or waiting for a worker; more are refused at once.
  size_t max_connections = 256;
  // From accept (or a keep-alive request's first byte) to the end of the
  // request's body, the TLS handshake included.
  std::chrono::milliseconds request_deadline{10'000};
  // Longest wait for any single read.
  std::chrono::milliseconds read_idle_timeout{5'000};
  // Writing one response in all, and longest wait for any single write.
  std::chrono::milliseconds write_deadline{10'000};
  std::chrono::milliseconds write_idle_timeout{5'000};
  // Idle time between requests on a kept-alive connection, and the number of
  // requests one connection may make.
  std::chrono::milliseconds keep_alive_timeout{5'000};
  size_t keep_alive_max_requests = 100;

  static HttpLimits Public() { return {}; }
  // The kubelet and a few Prometheus replicas: few connections.
  static HttpLimits Admin() {
    HttpLimits l;
    l.worker_threads = 8;
    l.max_connections = 64;
    return l;
  }
};

class HttpServer {
 public:
  // The public server: only the routes added with Handle(); HttpLimits::Public().
  HttpServer();
  // The admin server: GET /metrics, /healthz, /readyz; HttpLimits::Admin().
  // `metrics` and `readiness` must outlive the server.
  HttpServer(metrics::Registry& metrics, Readiness& readiness);
  ~HttpServer();

  // Must be called before Start().
  void Handle(const std::string& method, const std::string& path, HttpHandler handler);
  // True once a route is registered (the admin server always has routes).
  bool HasRoutes() const;
  // Largest accepted request body; larger ones get 413 before any handler runs.
  void SetMaxBodyBytes(size_t bytes);
  // Serve HTTPS instead of HTTP. Must be called before Start().
  void EnableTls(HttpTlsConfig tls);
  // Replaces the limits. Must be called before Start().
  void SetLimits(const HttpLimits& limits);

  // Returns the bound port. Fails (naming the file) if a TLS file is unusable.
  StatusOr<int> Start(const std::string& address, int port);
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadflow::health
