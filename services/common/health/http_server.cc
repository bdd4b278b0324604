#include "common/health/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "common/health/readiness.h"
#include "common/lifecycle/shutdown.h"
#include "common/metrics/registry.h"

namespace leadflow::health {
namespace {

using Clock = std::chrono::steady_clock;

// cpp-httplib 0.11 listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG,
// fixed when Debian built the library). A burst of more connections than
// that overflows the accept queue; the kernel answers with SYN cookies and
// resets the connections it cannot complete, which clients see as a read
// error without any answer. The listening socket is re-armed with this
// backlog (Linux caps it at net.core.somaxconn).
constexpr int kListenBacklog = 1024;
// Granularity of waits, so Stop() is noticed while a client is slow.
constexpr auto kWaitSlice = std::chrono::milliseconds(100);

// Set on the accepting thread while it refuses a connection over the cap.
thread_local bool t_refusing = false;
// When the connection a worker is about to serve was accepted.
thread_local Clock::time_point t_accepted_at;

struct Route {
  std::string method;
  std::string path;
  httplib::Server::Handler handler;
};

// httplib's task queue, bounded: `threads` workers and at most
// `max_connections` connections served or queued. A connection over the cap
// is handed back to the accepting thread with t_refusing set, so the server
// refuses it without reading (see GuardedServer).
class BoundedPool final : public httplib::TaskQueue {
 public:
  BoundedPool(size_t threads, size_t max_connections) : max_connections_(max_connections) {
    for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~BoundedPool() override = default;

  void enqueue(std::function<void()> fn) override {
    const Clock::time_point accepted = Clock::now();
    {
      std::lock_guard lock(mu_);
      if (!shutdown_ && active_ + jobs_.size() < max_connections_) {
        jobs_.push_back({std::move(fn), accepted});
        cv_.notify_one();
        return;
      }
    }
    t_refusing = true;
    t_accepted_at = accepted;
    fn();  // refuses: answers or closes at once
    t_refusing = false;
  }

  void shutdown() override {
    {
      std::lock_guard lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

 private:
  struct Job {
    std::function<void()> fn;
    Clock::time_point accepted;
  };
  void Work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // shut down, nothing left
        job = std::move(jobs_.front());
        jobs_.pop_front();
        ++active_;
      }
      t_accepted_at = job.accepted;
      job.fn();
      std::lock_guard lock(mu_);
      --active_;
    }
  }

  const size_t max_connections_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  size_t active_ = 0;
  bool shutdown_ = false;
  std::vector<std::thread> workers_;
};

// One accepted connection, plain or TLS, as an httplib::Stream whose reads
// and writes never wait past the current deadlines (HttpLimits). The socket
// is non-blocking; waits are poll()s in slices so Stop() is seen.
class ConnectionStream final : public httplib::Stream {
 public:
  // `listen_sock` is the server's listening socket, -1 once it stops.
  ConnectionStream(int fd, SSL* ssl, const HttpLimits& limits,
                   const std::atomic<socket_t>& listen_sock)
      : fd_(fd), ssl_(ssl), limits_(limits), listen_fd_(listen_sock) {}

  // The TLS handshake, within the deadline of the first request.
  bool Handshake() {
    for (;;) {
      ERR_clear_error();
      int rc = SSL_accept(ssl_);
      if (rc == 1) return true;
      if (!WaitForSsl(rc, read_deadline_, limits_.read_idle_timeout)) return false;
    }
  }

  // Starts a request: its reads must end by `deadline`.
  void BeginRequest(Clock::time_point deadline) {
    read_deadline_ = deadline;
    write_deadline_.reset();
  }
  // Waits (up to the keep-alive timeout) for the first byte of another request.
  bool WaitForNextRequest() {
    if (Buffered()) return true;
    return Wait(POLLIN, Clock::now() + limits_.keep_alive_timeout, limits_.keep_alive_timeout);
  }
  // True once a read gave up because the request's deadline passed.
  bool too_slow() const { return too_slow_; }

  bool is_readable() const override {
    return Buffered() || Wait(POLLIN, read_deadline_, limits_.read_idle_timeout);
  }
  bool is_writable() const override {
    return Wait(POLLOUT, WriteDeadline(), limits_.write_idle_timeout);
  }

  ssize_t read(char* ptr, size_t size) override {
    if (buffer_begin_ == buffer_end_ && !Fill()) return -1;
    size_t n = std::min(size, buffer_end_ - buffer_begin_);
    std::memcpy(ptr, buffer_ + buffer_begin_, n);
    buffer_begin_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    const Clock::time_point deadline = WriteDeadline();
    for (;;) {
      if (ssl_ != nullptr) {
        ERR_clear_error();
        int rc = SSL_write(ssl_, ptr, static_cast<int>(std::min<size_t>(size, 1 << 30)));
        if (rc > 0) return rc;
        if (!WaitForSsl(rc, deadline, limits_.write_idle_timeout)) return -1;
      } else {
        ssize_t rc = ::send(fd_, ptr, size, MSG_NOSIGNAL);
        if (rc >= 0) return rc;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        if (!Wait(POLLOUT, deadline, limits_.write_idle_timeout)) return -1;
      }
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) Describe(addr, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) Describe(addr, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  static void Describe(const sockaddr_storage& addr, std::string& ip, int& port) {
    char buf[INET6_ADDRSTRLEN] = {0};
    if (addr.ss_family == AF_INET) {
      const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
      ::inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf);
      port = ntohs(a.sin_port);
    } else if (addr.ss_family == AF_INET6) {
      const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
      ::inet_ntop(AF_INET6, &a.sin6_addr, buf, sizeof buf);
      port = ntohs(a.sin6_port);
    }
    ip = buf;
  }

  bool Buffered() const {
    return buffer_begin_ < buffer_end_ || (ssl_ != nullptr && SSL_pending(ssl_) > 0);
  }

  Clock::time_point WriteDeadline() const {
    if (!write_deadline_) write_deadline_ = Clock::now() + limits_.write_deadline;
    return *write_deadline_;
  }

  // Reads what is available into the buffer, waiting within the deadline.
  bool Fill() {
    buffer_begin_ = buffer_end_ = 0;
    for (;;) {
      if (ssl_ != nullptr) {
        ERR_clear_error();
        int rc = SSL_read(ssl_, buffer_, sizeof buffer_);
        if (rc > 0) {
          buffer_end_ = static_cast<size_t>(rc);
          return true;
        }
        if (!WaitForSsl(rc, read_deadline_, limits_.read_idle_timeout)) return false;
      } else {
        ssize_t rc = ::recv(fd_, buffer_, sizeof buffer_, 0);
        if (rc > 0) {
          buffer_end_ = static_cast<size_t>(rc);
          return true;
        }
        if (rc == 0) return false;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
        if (!Wait(POLLIN, read_deadline_, limits_.read_idle_timeout)) return false;
      }
    }
  }

  // After an SSL call returned `rc` <= 0: waits for what it needs; false on
  // an error, a closed connection or a deadline.
  bool WaitForSsl(int rc, Clock::time_point deadline, std::chrono::milliseconds idle) const {
    switch (SSL_get_error(ssl_, rc)) {
      case SSL_ERROR_WANT_READ:
        return Wait(POLLIN, deadline, idle);
      case SSL_ERROR_WANT_WRITE:
        return Wait(POLLOUT, deadline, idle);
      default:
        return false;
    }
  }

  // Waits until the socket is ready for `events`, at most `idle` and never
  // past `deadline`; false on timeout (setting too_slow_ at the deadline),
  // an error, or the server stopping.
  bool Wait(short events, Clock::time_point deadline, std::chrono::milliseconds idle) const {
    const Clock::time_point idle_end = Clock::now() + idle;
    for (;;) {
      if (listen_fd_.load() < 0) return false;  // stopping
      const Clock::time_point now = Clock::now();
      if (now >= deadline) {
        too_slow_ = true;
        return false;
      }
      if (now >= idle_end) return false;
      auto left = std::min({deadline - now, idle_end - now, Clock::duration(kWaitSlice)});
      int ms = static_cast<int>(
          std::max<int64_t>(1, std::chrono::ceil<std::chrono::milliseconds>(left).count()));
      pollfd p{fd_, events, 0};
      int rc = ::poll(&p, 1, ms);
      if (rc > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0;
      if (rc < 0 && errno != EINTR) return false;
    }
  }

  const int fd_;
  SSL* const ssl_;
  const HttpLimits& limits_;
  const std::atomic<socket_t>& listen_fd_;
  Clock::time_point read_deadline_ = Clock::now();
  mutable std::optional<Clock::time_point> write_deadline_;
  mutable bool too_slow_ = false;
  char buffer_[4096];
  size_t buffer_begin_ = 0;
  size_t buffer_end_ = 0;
};

// httplib's Server with connections served by ConnectionStream (deadlines,
// TLS when `ctx` is set) and refused over the pool's cap. It replaces
// httplib's own socket handling, which waits up to the read timeout per
// header line and so lets a client trickling lines hold a worker forever.
class GuardedServer final : public httplib::Server {
 public:
  // Takes ownership of `ctx` (nullptr: plain HTTP).
  GuardedServer(SSL_CTX* ctx, const HttpLimits& limits) : ctx_(ctx), limits_(limits) {
    new_task_queue = [limits] {
      return new BoundedPool(limits.worker_threads, limits.max_connections);
    };
  }
  ~GuardedServer() override {
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }

 private:
  bool process_and_close_socket(socket_t sock) override {
    if (t_refusing) {
      if (ctx_ == nullptr) {
        static constexpr char kBusy[] =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n"
            "Connection: close\r\n\r\n";
        (void)::send(sock, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      }
      Close(sock);
      return false;
    }
    ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
    SSL* ssl = nullptr;
    if (ctx_ != nullptr) {
      ssl = SSL_new(ctx_);
      if (ssl == nullptr || SSL_set_fd(ssl, sock) != 1) {
        if (ssl != nullptr) SSL_free(ssl);
        Close(sock);
        return false;
      }
    }
    ConnectionStream strm(sock, ssl, limits_, svr_sock_);
    strm.BeginRequest(t_accepted_at + limits_.request_deadline);
    bool ok = ssl == nullptr || strm.Handshake();
    bool served = false;
    for (size_t left = limits_.keep_alive_max_requests; ok && left > 0; --left) {
      if (served) {
        if (!strm.WaitForNextRequest()) break;
        strm.BeginRequest(Clock::now() + limits_.request_deadline);
      }
      bool connection_closed = false;
      ok = process_request(strm, left == 1, connection_closed,
                           [ssl](httplib::Request& req) { req.ssl = ssl; });
      served = true;
      if (connection_closed || strm.too_slow() || svr_sock_.load() == INVALID_SOCKET) break;
    }
    if (ssl != nullptr) {
      if (ok) SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    Close(sock);
    return ok;
  }

  static void Close(int sock) {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }

  SSL_CTX* const ctx_;
  const HttpLimits limits_;
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
  metrics::Registry* metrics = nullptr;  // admin server only
  Readiness* readiness = nullptr;        // admin server only
  std::vector<Route> routes;
  std::optional<size_t> max_body_bytes;
  std::optional<HttpTlsConfig> tls;
  HttpLimits limits;
  std::unique_ptr<httplib::Server> server;  // made by Start()
  std::thread thread;
  bool started = false;
  std::atomic<int> listen_fd{-1};  // the last socket httplib created to listen on
  std::atomic<bool> listen_returned{false};

  // A plain or TLS server with every route; nullptr and `error` on a TLS problem.
  std::unique_ptr<httplib::Server> Make(std::string* error) {
    SSL_CTX* ctx = nullptr;
    if (tls) {
      ctx = SSL_CTX_new(TLS_server_method());
      if (ctx == nullptr) {
        *error = "https: cannot create a TLS context: " + OpenSslError();
        return nullptr;
      }
      if (!SetUpTls(*ctx, *tls, error)) {
        SSL_CTX_free(ctx);
        return nullptr;
      }
    }
    auto s = std::make_unique<GuardedServer>(ctx, limits);
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

HttpServer::HttpServer() : impl_(std::make_unique<Impl>()) { impl_->limits = HttpLimits::Public(); }

HttpServer::HttpServer(metrics::Registry& metrics, Readiness& readiness)
    : impl_(std::make_unique<Impl>()) {
  impl_->metrics = &metrics;
  impl_->readiness = &readiness;
  impl_->limits = HttpLimits::Admin();
  impl_->routes.push_back({"GET", "/metrics", [this](const httplib::Request&, httplib::Response& res) {
                             res.set_content(impl_->metrics->Serialize(),
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
    auto failing = impl_->readiness->Failing();
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

bool HttpServer::HasRoutes() const { return !impl_->routes.empty(); }

void HttpServer::SetMaxBodyBytes(size_t bytes) { impl_->max_body_bytes = bytes; }

void HttpServer::SetLimits(const HttpLimits& limits) { impl_->limits = limits; }

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
