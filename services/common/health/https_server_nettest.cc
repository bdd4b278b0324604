// HttpServer with TLS on loopback: it answers HTTPS and refuses plaintext;
// with a client CA it refuses clients without a valid certificate when
// client certificates are required, and accepts them (without a CN) when they
// are optional; a handler sees the verified certificate's CN. Certificates are
// made once per run with the openssl CLI (EC keys: fast).
#include <gtest/gtest.h>
#include <httplib.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/health/http_server.h"
#include "common/health/readiness.h"
#include "common/metrics/registry.h"
#include "common/testing/temp_dir.h"

namespace leadflow::health {
namespace {

using namespace std::chrono_literals;

// A CA, a server certificate for 127.0.0.1/localhost, a client certificate
// "trusted-client" from that CA, and "stranger" from another CA.
class Certificates {
 public:
  static const Certificates& Get() {
    static const Certificates certs;  // its directory goes at exit
    return certs;
  }
  bool ok() const { return ok_; }
  std::string File(const std::string& name) const { return dir_->File(name); }

 private:
  Certificates() {
    dir_ = testing::TempDir::Create("https-test");
    if (!dir_) return;
    const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string script =
        "set -e; cd '" + dir_->path() + "'; "
        "for ca in ca other-ca; do openssl req -x509 " + key + " -keyout $ca.key -out $ca.crt "
        "-days 1 -subj /CN=leadflow-test-$ca 2>/dev/null; done; "
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext; "
        "openssl req " + key + " -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null; "
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt "
        "-days 1 -extfile san.ext 2>/dev/null; "
        "sign() { openssl req " + key + " -keyout $1.key -out $1.csr -subj /CN=$1 2>/dev/null; "
        "openssl x509 -req -in $1.csr -CA $2.crt -CAkey $2.key -CAcreateserial -out $1.crt -days 1 "
        "2>/dev/null; }; "
        "sign trusted-client ca; sign stranger other-ca";
    ok_ = std::system(script.c_str()) == 0;
  }
  std::unique_ptr<testing::TempDir> dir_;
  bool ok_ = false;
};

class HttpsServerTest : public ::testing::Test {
 protected:
  // Starts the server with TLS; `client_auth`: "" (no client certificates),
  // "require" or "optional".
  void Start(const std::string& client_auth) {
    const auto& certs = Certificates::Get();
    ASSERT_TRUE(certs.ok()) << "openssl could not make the test certificates";
    HttpTlsConfig tls;
    tls.cert_file = certs.File("server.crt");
    tls.key_file = certs.File("server.key");
    if (!client_auth.empty()) {
      tls.client_ca_file = certs.File("ca.crt");
      tls.require_client_cert = client_auth == "require";
    }
    server_.Handle("GET", "/whoami", [](const HttpRequest& req) {
      return HttpResponse{200, "text/plain", "cn=" + req.client_cert_cn};
    });
    server_.EnableTls(tls);
    server_.SetLimits(limits_);
    auto port = server_.Start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().message();
    port_ = *port;
  }

  // GET over HTTPS, verifying the server against the test CA, presenting the
  // client certificate `client` ("" = none).
  httplib::Result GetTls(const std::string& path, const std::string& client = "") {
    const auto& certs = Certificates::Get();
    std::unique_ptr<httplib::SSLClient> c =
        client.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", port_)
                       : std::make_unique<httplib::SSLClient>("127.0.0.1", port_,
                                                              certs.File(client + ".crt"),
                                                              certs.File(client + ".key"));
    c->set_ca_cert_path(certs.File("ca.crt").c_str());
    c->enable_server_certificate_verification(true);
    c->set_connection_timeout(10);
    c->set_read_timeout(10);
    return c->Get(path.c_str());
  }

  metrics::Registry metrics_;
  Readiness readiness_;
  HttpServer server_{metrics_, readiness_};
  HttpLimits limits_ = HttpLimits::Admin();
  int port_ = 0;
};

// A TLS client too slow to finish its handshake (here: silent, or one byte a
// second) is closed at the request deadline; others are still served.
TEST_F(HttpsServerTest, ASlowHandshakeIsClosedAtTheRequestDeadline) {
  limits_.request_deadline = 1500ms;
  Start("");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (bool trickle : {false, true}) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const auto t0 = std::chrono::steady_clock::now();
    bool closed = false;
    while (!closed && std::chrono::steady_clock::now() - t0 < 5s) {
      if (trickle) (void)::send(fd, "\x16", 1, MSG_NOSIGNAL);  // a ClientHello, slowly
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 1000) > 0) {
        char buf[256];
        closed = ::recv(fd, buf, sizeof buf, 0) <= 0;
      }
    }
    const auto took = std::chrono::steady_clock::now() - t0;
    ::close(fd);
    EXPECT_TRUE(closed) << (trickle ? "trickling" : "silent") << " client still open after 5 s";
    EXPECT_GE(took, 1200ms);
    EXPECT_LT(took, 3500ms);
  }
  auto res = GetTls("/healthz");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpsServerTest, AnswersHttpsAndRefusesPlaintext) {
  Start("");
  auto res = GetTls("/healthz");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "{\"status\":\"alive\"}");
  auto who = GetTls("/whoami");
  ASSERT_TRUE(who);
  EXPECT_EQ(who->body, "cn=") << "no client certificate is asked for without a client CA";

  httplib::Client plain("127.0.0.1", port_);
  plain.set_read_timeout(10);
  auto refused = plain.Get("/healthz");
  EXPECT_FALSE(refused) << "plaintext HTTP got status " << refused->status;
}

TEST_F(HttpsServerTest, RequiredClientCertificatesRefuseClientsWithoutAValidOne) {
  Start("require");
  auto res = GetTls("/whoami", "trusted-client");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "cn=trusted-client");

  auto without = GetTls("/whoami");
  EXPECT_FALSE(without) << "a client without a certificate got status " << without->status;
  auto stranger = GetTls("/whoami", "stranger");
  EXPECT_FALSE(stranger) << "a certificate of another CA got status " << stranger->status;
  httplib::Client plain("127.0.0.1", port_);
  plain.set_read_timeout(10);
  EXPECT_FALSE(plain.Get("/healthz"));
}

TEST_F(HttpsServerTest, OptionalClientCertificatesIdentifyTheClientWhenPresented) {
  Start("optional");
  auto with = GetTls("/whoami", "trusted-client");
  ASSERT_TRUE(with) << httplib::to_string(with.error());
  EXPECT_EQ(with->body, "cn=trusted-client");

  auto without = GetTls("/whoami");
  ASSERT_TRUE(without) << httplib::to_string(without.error());
  EXPECT_EQ(without->status, 200);
  EXPECT_EQ(without->body, "cn=");
  auto stranger = GetTls("/whoami", "stranger");
  EXPECT_FALSE(stranger) << "an invalid certificate presented got status " << stranger->status;
}

TEST_F(HttpsServerTest, UnusableFilesFailStartNamingTheFile) {
  const auto& certs = Certificates::Get();
  ASSERT_TRUE(certs.ok());
  HttpTlsConfig tls;
  tls.cert_file = certs.File("server.crt");
  tls.key_file = certs.File("missing.key");
  server_.EnableTls(tls);
  auto port = server_.Start("127.0.0.1", 0);
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("missing.key"), std::string::npos) << port.status().message();

  metrics::Registry metrics;
  Readiness readiness;
  HttpServer mismatched(metrics, readiness);
  tls.key_file = certs.File("trusted-client.key");
  mismatched.EnableTls(tls);
  auto bad = mismatched.Start("127.0.0.1", 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("trusted-client.key"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace leadflow::health
