// The HTTP side of every service: GET /metrics (Prometheus text), /healthz
// (alive), /readyz (every readiness check passes), plus routes a service adds
// (e.g. intake's POST /v1/leads). Handlers run on the server's worker threads
// and must be thread-safe. Start() binds (port 0 picks a free port) and serves
// on background threads; Stop() is idempotent and called by the destructor.
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
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  HttpServer(metrics::Registry& metrics, Readiness& readiness);
  ~HttpServer();

  // Must be called before Start().
  void Handle(const std::string& method, const std::string& path, HttpHandler handler);
  // Largest accepted request body; larger ones get 413 before any handler runs.
  void SetMaxBodyBytes(size_t bytes);

  StatusOr<int> Start(const std::string& address, int port);
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadflow::health
