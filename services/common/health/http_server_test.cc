// A real HttpServer on loopback under concurrent clients: every request gets
// an answer (no connection closed or reset without one), with fresh
// connections and with keep-alive connections, and while handlers are slow.
#include "common/health/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/health/readiness.h"
#include "common/metrics/registry.h"

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

}  // namespace
}  // namespace leadflow::health
