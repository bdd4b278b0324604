#include "common/health/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <thread>

#include "common/health/readiness.h"
#include "common/metrics/registry.h"

namespace leadflow::health {

namespace {

// cpp-httplib 0.11 listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG,
// fixed when Debian built the library). A burst of more connections than
// that overflows the accept queue; the kernel answers with SYN cookies and
// resets the connections it cannot complete, which clients see as a read
// error without any answer. The listening socket is re-armed with this
// backlog (Linux caps it at net.core.somaxconn).
constexpr int kListenBacklog = 1024;
// Worker threads. A keep-alive connection holds its worker while it idles
// (up to the keep-alive timeout), and intake's POST /v1/leads waits for a
// Kafka delivery report, so the library's default (8 on 2 cores) would queue
// the 9th concurrent client behind idle ones. Idle threads cost no CPU.
constexpr size_t kWorkerThreads = 64;

}  // namespace

struct HttpServer::Impl {
  metrics::Registry& metrics;
  Readiness& readiness;
  httplib::Server server;
  std::thread thread;
  bool started = false;
  std::atomic<int> listen_fd{-1};  // the last socket httplib created to listen on
  Impl(metrics::Registry& m, Readiness& r) : metrics(m), readiness(r) {
    server.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
    server.set_socket_options([this](socket_t sock) {
      httplib::default_socket_options(sock);
      listen_fd = sock;
    });
  }
};

namespace {

HttpRequest Convert(const httplib::Request& req) {
  HttpRequest out;
  out.method = req.method;
  out.path = req.path;
  out.body = req.body;
  out.remote_addr = req.remote_addr;
  for (const auto& [k, v] : req.headers) {
    std::string name = k;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    out.headers[name] = v;
  }
  return out;
}

}  // namespace

HttpServer::HttpServer(metrics::Registry& metrics, Readiness& readiness)
    : impl_(std::make_unique<Impl>(metrics, readiness)) {
  impl_->server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(impl_->metrics.Serialize(), "text/plain; version=0.0.4");
  });
  impl_->server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"alive\"}", "application/json");
  });
  impl_->server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    auto failing = impl_->readiness.Failing();
    if (failing.empty()) {
      res.set_content("{\"status\":\"ready\"}", "application/json");
      return;
    }
    std::string list;
    for (const auto& f : failing) list += (list.empty() ? "\"" : ",\"") + f + "\"";
    res.status = 503;
    res.set_content("{\"status\":\"not ready\",\"failing\":[" + list + "]}", "application/json");
  });
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(const std::string& method, const std::string& path, HttpHandler handler) {
  auto adapter = [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    HttpResponse r = handler(Convert(req));
    res.status = r.status;
    res.set_content(r.body, r.content_type.c_str());
  };
  if (method == "POST") {
    impl_->server.Post(path, adapter);
  } else if (method == "GET") {
    impl_->server.Get(path, adapter);
  } else if (method == "PUT") {
    impl_->server.Put(path, adapter);
  } else if (method == "DELETE") {
    impl_->server.Delete(path, adapter);
  }
}

void HttpServer::SetMaxBodyBytes(size_t bytes) { impl_->server.set_payload_max_length(bytes); }

StatusOr<int> HttpServer::Start(const std::string& address, int port) {
  int bound = port;
  if (port == 0) {
    bound = impl_->server.bind_to_any_port(address);
  } else if (!impl_->server.bind_to_port(address, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    return Status::Unavailable("http: cannot listen on " + address + ":" + std::to_string(port));
  }
  // Listening again on a listening socket only changes its backlog.
  if (::listen(impl_->listen_fd.load(), kListenBacklog) != 0) {
    impl_->server.stop();
    return Status::Unavailable("http: cannot set the listen backlog on " + address + ":" +
                               std::to_string(bound));
  }
  impl_->started = true;
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  return bound;
}

void HttpServer::Stop() {
  if (!impl_->started) return;
  impl_->started = false;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace leadflow::health
