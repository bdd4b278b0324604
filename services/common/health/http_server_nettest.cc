// A real HttpServer on loopback under concurrent clients: every request gets
// an answer (no connection closed or reset without one), with fresh
// connections and with keep-alive connections, and while handlers are slow.
// Under a slowloris on the public server, /readyz on the admin server stays
// fast and the slow clients are ended; over the connection cap a 503.
#include "common/health/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/health/readiness.h"
#include "common/metrics/registry.h"
#include "common/testing/slowloris.h"

namespace leadflow::health {
namespace {

// Runs `clients` threads released together; each calls `work(i)`, which
// returns "" on success or what went wrong. Returns the failures by text.
std::map<std::string, int> RunTogether(int clients, const std::function<std::string(int)>& work) {
  std::atomic<bool> go{false};
  std::mutex mu;
  std::map<std::string, int> failures;
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(clients));
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      std::string failure = work(i);
      if (failure.empty()) return;
      std::lock_guard<std::mutex> lock(mu);
      ++failures[failure];
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  return failures;
}

std::string Describe(const httplib::Result& res, int want_status) {
  if (!res) return "transport error: " + httplib::to_string(res.error());
  if (res->status != want_status) return "status " + std::to_string(res->status);
  return "";
}

class HttpServerConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A handler as slow as intake's POST /v1/leads on a loaded machine (it
    // waits for a Kafka delivery report).
    server_.Handle("POST", "/slow", [](const HttpRequest& req) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return HttpResponse{202, "application/json", "{\"got\":" + std::to_string(req.body.size()) + "}"};
    });
    // As many workers as a public server (these clients keep connections alive).
    server_.SetLimits(HttpLimits::Public());
    auto port = server_.Start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().message();
    port_ = *port;
  }

  metrics::Registry metrics_;
  Readiness readiness_;
  HttpServer server_{metrics_, readiness_};
  int port_ = 0;
};

TEST_F(HttpServerConcurrencyTest, SixtyFourClientsOnFreshConnectionsAllGetAnAnswer) {
  constexpr int kClients = 64;
  auto failures = RunTogether(kClients, [&](int) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60);
    return Describe(client.Post("/slow", std::string(2000, 'x'), "application/json"), 202);
  });
  EXPECT_TRUE(failures.empty()) << [&] {
    std::string out;
    for (const auto& [what, n] : failures) out += what + " x" + std::to_string(n) + "\n";
    return out;
  }();
}

TEST_F(HttpServerConcurrencyTest, FortyKeepAliveClientsMakingTenRequestsEachAllGetAnAnswer) {
  constexpr int kClients = 40;
  constexpr int kRequests = 10;
  auto failures = RunTogether(kClients, [&](int i) {
    httplib::Client client("127.0.0.1", port_);
    client.set_keep_alive(true);
    client.set_read_timeout(60);
    for (int r = 0; r < kRequests; ++r) {
      auto res = (i + r) % 2 == 0 ? client.Get("/healthz")
                                   : client.Post("/slow", "{}", "application/json");
      std::string failure = Describe(res, (i + r) % 2 == 0 ? 200 : 202);
      if (!failure.empty()) return failure;
    }
    return std::string();
  });
  EXPECT_TRUE(failures.empty()) << [&] {
    std::string out;
    for (const auto& [what, n] : failures) out += what + " x" + std::to_string(n) + "\n";
    return out;
  }();
}

// issue 16: 100 connections trickling a header line every 2 s to the public
// port (intake's POST /v1/leads) must not slow the readiness probe on the
// admin port, and the public server must end every one of them (the request
// deadline is 10 s) instead of holding a worker for as long as they trickle.
// On the old single port every probe timed out and no slow connection ended.
TEST_F(HttpServerConcurrencyTest, SlowlorisOnThePublicPortLeavesReadyzOnTheAdminPortFast) {
  HttpServer public_server;
  public_server.Handle("POST", "/v1/leads", [](const HttpRequest&) {
    return HttpResponse{202, "application/json", "{}"};
  });
  auto public_port = public_server.Start("127.0.0.1", 0);
  ASSERT_TRUE(public_port.ok()) << public_port.status().message();

  const testing::SlowlorisResult r =
      testing::RunSlowloris(*public_port, port_, 100, std::chrono::seconds(14));
  ASSERT_GE(r.probe_ms.size(), 10u) << r.Summary();
  EXPECT_EQ(r.probe_failures, 0) << r.Summary();
  EXPECT_LT(r.max_probe_ms(), 200.0) << r.Summary();
  EXPECT_EQ(r.slow_connections, 100) << r.Summary();
  EXPECT_EQ(r.slow_ended_by_server, r.slow_connections) << r.Summary();
  std::cout << r.Summary() << "\n";

  // Once they are gone, the public port serves again.
  httplib::Client client("127.0.0.1", *public_port);
  client.set_read_timeout(5);
  EXPECT_EQ(Describe(client.Post("/v1/leads", "{}", "application/json"), 202), "");
}

// The public server has none of the admin routes, and the admin server none
// of the public ones.
TEST_F(HttpServerConcurrencyTest, ProbesAndMetricsAreOnlyOnTheAdminServer) {
  HttpServer public_server;
  public_server.Handle("POST", "/v1/leads", [](const HttpRequest&) {
    return HttpResponse{202, "application/json", "{}"};
  });
  EXPECT_TRUE(public_server.HasRoutes());
  EXPECT_FALSE(HttpServer().HasRoutes());
  auto public_port = public_server.Start("127.0.0.1", 0);
  ASSERT_TRUE(public_port.ok()) << public_port.status().message();
  httplib::Client pub("127.0.0.1", *public_port);
  httplib::Client admin("127.0.0.1", port_);
  for (const char* path : {"/readyz", "/healthz", "/metrics"}) {
    EXPECT_EQ(Describe(pub.Get(path), 404), "") << path;
    EXPECT_EQ(Describe(admin.Get(path), 200), "") << path;
  }
  EXPECT_EQ(Describe(admin.Post("/v1/leads", "{}", "application/json"), 404), "");
}

// Connections over the cap are answered 503 at once, without being read,
// while the ones under it are served; a client that never finishes its
// request is closed at the request deadline.
TEST(HttpServerLimitsTest, OverTheConnectionCapA503AndSlowClientsEndAtTheDeadline) {
  HttpServer server;
  server.Handle("GET", "/x", [](const HttpRequest&) { return HttpResponse{200, "text/plain", "x"}; });
  HttpLimits limits;
  limits.worker_threads = 2;
  limits.max_connections = 3;
  limits.request_deadline = std::chrono::milliseconds(1500);
  server.SetLimits(limits);
  auto port = server.Start("127.0.0.1", 0);
  ASSERT_TRUE(port.ok()) << port.status().message();

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(*port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto open = [&] {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
  };
  // Reads until EOF or `timeout`; returns what arrived.
  auto drain = [](int fd, std::chrono::milliseconds timeout) {
    std::string got;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[512];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return got + "<closed>";
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  };
  // Three silent connections fill the cap (two served, one queued).
  std::vector<int> silent;
  for (int i = 0; i < 3; ++i) silent.push_back(open());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto t0 = std::chrono::steady_clock::now();
  int fourth = open();
  const std::string refused = drain(fourth, std::chrono::milliseconds(1000));
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
  ::close(fourth);
  // The silent ones are closed by the deadline (1.5 s after accept), without a response.
  for (int fd : silent) {
    EXPECT_EQ(drain(fd, std::chrono::milliseconds(3000)), "<closed>");
    ::close(fd);
  }
  // Then a normal request is served.
  httplib::Client client("127.0.0.1", *port);
  EXPECT_EQ(Describe(client.Get("/x"), 200), "");
}

}  // namespace
}  // namespace leadflow::health
