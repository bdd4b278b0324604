#include "common/health/http_server.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "common/health/readiness.h"
#include "common/lifecycle/shutdown.h"
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

struct Route {
  std::string method;
  std::string path;
  httplib::Server::Handler handler;
};

// The last OpenSSL error as text (empties the thread's error queue).
std::string OpenSslError() {
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(last, buf, sizeof buf);
  return buf;
}

// Configures `ctx` for `tls`; on failure returns false and sets `error`.
bool SetUpTls(SSL_CTX& ctx, const HttpTlsConfig& tls, std::string* error) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(&ctx, tls.cert_file.c_str()) != 1) {
    *error = "https: cannot use the certificate chain in \"" + tls.cert_file + "\": " + OpenSslError();
    return false;
  }
  if (SSL_CTX_use_PrivateKey_file(&ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    *error = "https: cannot use the private key in \"" + tls.key_file + "\": " + OpenSslError();
    return false;
  }
  if (SSL_CTX_check_private_key(&ctx) != 1) {
    *error = "https: the private key in \"" + tls.key_file + "\" does not match the certificate in \"" +
             tls.cert_file + "\"";
    return false;
  }
  if (tls.client_ca_file.empty()) return true;
  if (SSL_CTX_load_verify_locations(&ctx, tls.client_ca_file.c_str(), nullptr) != 1) {
    *error = "https: cannot use the client CA bundle in \"" + tls.client_ca_file + "\": " +
             OpenSslError();
    return false;
  }
  // Tell clients which CAs are accepted, so they pick the right certificate.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str())) {
    SSL_CTX_set_client_CA_list(&ctx, names);
  }
  SSL_CTX_set_verify(&ctx,
                     SSL_VERIFY_PEER | (tls.require_client_cert ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                     nullptr);
  return true;
}

// Subject CN of the connection's verified client certificate, or "".
std::string VerifiedClientCn(const SSL* ssl) {
  if (ssl == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return "";
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return "";
  std::string cn;
  char buf[256];
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  if (n > 0) cn.assign(buf, static_cast<size_t>(n));
  X509_free(cert);
  return cn;
}

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
  out.client_cert_cn = VerifiedClientCn(req.ssl);
  return out;
}

}  // namespace

struct HttpServer::Impl {
  metrics::Registry& metrics;
  Readiness& readiness;
  std::vector<Route> routes;
  std::optional<size_t> max_body_bytes;
  std::optional<HttpTlsConfig> tls;
  std::unique_ptr<httplib::Server> server;  // made by Start()
  std::thread thread;
  bool started = false;
  std::atomic<int> listen_fd{-1};  // the last socket httplib created to listen on
  std::atomic<bool> listen_returned{false};
  Impl(metrics::Registry& m, Readiness& r) : metrics(m), readiness(r) {}

  // A plain or TLS server with every route; nullptr and `error` on a TLS problem.
  std::unique_ptr<httplib::Server> Make(std::string* error) {
    std::unique_ptr<httplib::Server> s;
    if (tls) {
      const HttpTlsConfig config = *tls;
      auto ssl = std::make_unique<httplib::SSLServer>(
          [&config, error](SSL_CTX& ctx) { return SetUpTls(ctx, config, error); });
      if (!ssl->is_valid()) return nullptr;
      s = std::move(ssl);
    } else {
      s = std::make_unique<httplib::Server>();
    }
    s->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
    s->set_socket_options([this](socket_t sock) {
      httplib::default_socket_options(sock);
      listen_fd = sock;
    });
    if (max_body_bytes) s->set_payload_max_length(*max_body_bytes);
    for (const auto& r : routes) {
      if (r.method == "POST") {
        s->Post(r.path, r.handler);
      } else if (r.method == "GET") {
        s->Get(r.path, r.handler);
      } else if (r.method == "PUT") {
        s->Put(r.path, r.handler);
      } else if (r.method == "DELETE") {
        s->Delete(r.path, r.handler);
      }
    }
    return s;
  }
};

HttpServer::HttpServer(metrics::Registry& metrics, Readiness& readiness)
    : impl_(std::make_unique<Impl>(metrics, readiness)) {
  impl_->routes.push_back({"GET", "/metrics", [this](const httplib::Request&, httplib::Response& res) {
                             res.set_content(impl_->metrics.Serialize(),
                                             "text/plain; version=0.0.4");
                           }});
  // Liveness: fails once the process has hit an unrecoverable error
  // (lifecycle::Shutdown::Fatal, e.g. a fatal Kafka client error), so an
  // orchestrator restarts it even if the exit that follows is slow.
  impl_->routes.push_back({"GET", "/healthz", [](const httplib::Request&, httplib::Response& res) {
                             if (lifecycle::Shutdown::Failed()) {
                               res.status = 503;
                               res.set_content("{\"status\":\"failed\"}", "application/json");
                               return;
                             }
                             res.set_content("{\"status\":\"alive\"}", "application/json");
                           }});
  impl_->routes.push_back({"GET", "/readyz", [this](const httplib::Request&, httplib::Response& res) {
    auto failing = impl_->readiness.Failing();
    if (failing.empty()) {
      res.set_content("{\"status\":\"ready\"}", "application/json");
      return;
    }
    std::string list;
    for (const auto& f : failing) list += (list.empty() ? "\"" : ",\"") + f + "\"";
    res.status = 503;
    res.set_content("{\"status\":\"not ready\",\"failing\":[" + list + "]}", "application/json");
  }});
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(const std::string& method, const std::string& path, HttpHandler handler) {
  auto adapter = [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    HttpResponse r = handler(Convert(req));
    res.status = r.status;
    res.set_content(r.body, r.content_type.c_str());
  };
  impl_->routes.push_back({method, path, std::move(adapter)});
}

void HttpServer::SetMaxBodyBytes(size_t bytes) { impl_->max_body_bytes = bytes; }

void HttpServer::EnableTls(HttpTlsConfig tls) { impl_->tls = std::move(tls); }

StatusOr<int> HttpServer::Start(const std::string& address, int port) {
  std::string error;
  impl_->server = impl_->Make(&error);
  if (!impl_->server) return Status::InvalidArgument(error);
  int bound = port;
  if (port == 0) {
    bound = impl_->server->bind_to_any_port(address);
  } else if (!impl_->server->bind_to_port(address, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    return Status::Unavailable("http: cannot listen on " + address + ":" + std::to_string(port));
  }
  // Listening again on a listening socket only changes its backlog.
  if (::listen(impl_->listen_fd.load(), kListenBacklog) != 0) {
    impl_->server->stop();
    return Status::Unavailable("http: cannot set the listen backlog on " + address + ":" +
                               std::to_string(bound));
  }
  impl_->started = true;
  impl_->listen_returned = false;
  impl_->thread = std::thread([this] {
    impl_->server->listen_after_bind();
    impl_->listen_returned = true;
  });
  // httplib's stop() does nothing until the accept loop runs; wait for it so
  // an early Stop() cannot leave the thread blocked in accept().
  while (!impl_->server->is_running() && !impl_->listen_returned) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return bound;
}

void HttpServer::Stop() {
  if (!impl_->started) return;
  impl_->started = false;
  impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace leadflow::health
