// HttpWebhookSender against real cpp-httplib servers on loopback: what a
// receiver sees, timeouts, refused connections, redirects not followed,
// oversized answers, and HTTPS certificate verification.
#include "notifier/app/http_webhook_sender.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "common/testing/free_port.h"
#include "common/testing/temp_dir.h"

namespace leadflow::notifier {
namespace {

using std::chrono::milliseconds;

// Runs `server` on 127.0.0.1 on its own thread until destroyed.
class Running {
 public:
  explicit Running(httplib::Server& server) : server_(server) {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Running() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
  }
  void set_scheme(std::string s) { scheme_ = std::move(s); }

 private:
  httplib::Server& server_;
  int port_ = 0;
  std::string scheme_ = "http";
  std::thread thread_;
};

TEST(HttpWebhookSenderTest, PostsHeadersBodyAndContentTypeAndReturnsTheStatus) {
  httplib::Server server;
  std::string got_body, got_type, got_id, got_path;
  server.Post("/hooks/a", [&](const httplib::Request& req, httplib::Response& res) {
    got_body = req.body;
    got_type = req.get_header_value("Content-Type");
    got_id = req.get_header_value("X-Leadflow-Event-Id");
    got_path = req.path + "?" + req.get_param_value("team");
    res.status = 201;
  });
  Running r(server);
  HttpWebhookSender sender;
  const HttpAttempt a =
      sender.Post(r.Url("/hooks/a?team=enterprise"), {{"X-Leadflow-Event-Id", "evt_1"}},
                  "application/json", R"({"k":1})", milliseconds(2000));
  EXPECT_EQ(a.status, 201) << a.error;
  EXPECT_EQ(got_body, R"({"k":1})");
  EXPECT_EQ(got_type, "application/json");
  EXPECT_EQ(got_id, "evt_1");
  EXPECT_EQ(got_path, "/hooks/a?enterprise");
}

TEST(HttpWebhookSenderTest, ASlowReceiverTimesOutWithinTheTimeout) {
  httplib::Server server;
  server.Post("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(milliseconds(1500));
    res.status = 200;
  });
  Running r(server);
  HttpWebhookSender sender;
  const auto start = std::chrono::steady_clock::now();
  const HttpAttempt a =
      sender.Post(r.Url("/slow"), {}, "application/json", "{}", milliseconds(300));
  EXPECT_EQ(a.status, 0);
  EXPECT_FALSE(a.error.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1200));
}

TEST(HttpWebhookSenderTest, ARefusedConnectionIsAnErrorNotAnAnswer) {
  HttpWebhookSender sender;
  const int port = testing::PickFreePort();
  const HttpAttempt a = sender.Post("http://127.0.0.1:" + std::to_string(port) + "/x", {},
                                    "application/json", "{}", milliseconds(500));
  EXPECT_EQ(a.status, 0);
  EXPECT_FALSE(a.error.empty());
}

TEST(HttpWebhookSenderTest, RedirectsAreNotFollowedAndLargeAnswersAreCut) {
  httplib::Server server;
  std::atomic<int> target_hits{0};
  server.Post("/moved", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/elsewhere", 307);
  });
  server.Post("/elsewhere", [&](const httplib::Request&, httplib::Response& res) {
    ++target_hits;
    res.status = 200;
  });
  server.Post("/big", [](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(std::string(1 << 20, 'x'), "text/plain");
  });
  Running r(server);
  HttpWebhookSender sender;
  EXPECT_EQ(sender.Post(r.Url("/moved"), {}, "application/json", "{}", milliseconds(2000)).status,
            307);
  EXPECT_EQ(target_hits.load(), 0);
  EXPECT_EQ(sender.Post(r.Url("/big"), {}, "application/json", "{}", milliseconds(2000)).status,
            200);
}

TEST(HttpWebhookSenderTest, HttpsRefusesAServerCertificateItCannotVerify) {
  auto dir = testing::TempDir::Create("notifier-tls");
  ASSERT_NE(dir, nullptr);
  const std::string cmd =
      "cd '" + dir->path() +
      "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-keyout key.pem -out cert.pem -subj /CN=localhost -days 1 "
      "-addext subjectAltName=IP:127.0.0.1 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a certificate";
  httplib::SSLServer server((dir->path() + "/cert.pem").c_str(),
                            (dir->path() + "/key.pem").c_str());
  ASSERT_TRUE(server.is_valid());
  std::atomic<int> hits{0};
  server.Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 200;
  });
  Running r(server);
  r.set_scheme("https");
  HttpWebhookSender sender;
  const HttpAttempt a =
      sender.Post(r.Url("/hook"), {}, "application/json", "{}", milliseconds(2000));
  EXPECT_EQ(a.status, 0) << "a self-signed certificate must not be trusted";
  EXPECT_NE(a.error.find("SSLServerVerification"), std::string::npos) << a.error;
  EXPECT_EQ(hits.load(), 0);
  // The control: the same server answers a client that skips verification.
  httplib::Client insecure(r.Url(""));
  insecure.enable_server_certificate_verification(false);
  auto res = insecure.Post("/hook", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(hits.load(), 1);
}

}  // namespace
}  // namespace leadflow::notifier
