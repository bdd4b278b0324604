// gRPC over TLS with optional mutual TLS, configured from LEADFLOW_TLS_*, on
// the real leadflow-routing binary: plaintext clients cannot talk to it; over
// TLS a caller is identified by its API key or by its client certificate's
// CN (routing_rules.json `callers`); with neither the call is refused; with
// LEADFLOW_TLS_CLIENT_AUTH=require no connection is possible without a valid
// client certificate. Certificates are made with the openssl CLI.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/config/proto_loader.h"
#include "leadflow/config/v1/routing_rules.pb.h"
#include "leadflow/routing/v1/routing.grpc.pb.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/paths.h"
#include "common/testing/redis_server.h"
#include "common/testing/service_process.h"
#include "common/testing/temp_dir.h"

namespace leadflow::security {
namespace {

namespace rv1 = leadflow::routing::v1;
using std::chrono::seconds;

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class TlsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dir_ = testing::TempDir::Create("tls-e2e", &error);
    ASSERT_TRUE(dir_) << error;
    const std::string d = dir_->path();
    // A CA, a server certificate for localhost/127.0.0.1, and two client
    // certificates: one of a configured caller, one of a stranger.
    const std::string script =
        "set -e; cd '" + d + "'; "
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 "
        "-subj /CN=leadflow-test-ca 2>/dev/null; "
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext; "
        "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost "
        "2>/dev/null; "
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt "
        "-days 1 -extfile san.ext 2>/dev/null; "
        "for c in sales-tool-cert-ka stranger; do "
        "openssl req -newkey rsa:2048 -nodes -keyout $c.key -out $c.csr -subj /CN=$c 2>/dev/null; "
        "openssl x509 -req -in $c.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $c.crt -days 1 "
        "2>/dev/null; done";
    ASSERT_EQ(std::system(script.c_str()), 0) << "openssl failed";
    // The shipped config plus one caller identified by certificate.
    namespace fs = std::filesystem;
    fs::create_directories(d + "/config");
    for (const auto& e : fs::directory_iterator(leadflow::testing::SourcePath("config"))) {
      if (e.is_regular_file()) fs::copy_file(e.path(), d + "/config/" + e.path().filename().string());
    }
    leadflow::config::v1::RoutingRules rules;
    ASSERT_TRUE(config::LoadProtoFile(d + "/config/routing_rules.json", &rules).ok());
    auto* c = rules.add_callers();
    c->set_caller_id("sales-tool-cert-ka");
    c->set_client_cert_cn("sales-tool-cert-ka");
    c->add_teams("key-accounts");
    std::string json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(rules, &json).ok());
    std::ofstream(d + "/config/routing_rules.json") << json;

    redis_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(redis_) << error;
    testing::DevKafkaOptions kopts;
    kopts.quiet = true;
    kafka_ = testing::DevKafka::Start(kopts, &error);
    ASSERT_TRUE(kafka_) << error;
  }

  // Starts routing with TLS; `client_auth` "optional" or "require".
  int StartRouting(const std::string& client_auth) {
    testing::ServiceProcessOptions o;
    o.service = "routing";
    o.kafka_bootstrap = kafka_->bootstrap();
    o.redis_url = redis_->url();
    o.config_dir = dir_->path() + "/config";
    o.work_dir = dir_->path();
    o.env = {{"LEADFLOW_TLS_CERT_FILE", dir_->File("server.crt")},
             {"LEADFLOW_TLS_KEY_FILE", dir_->File("server.key")},
             {"LEADFLOW_TLS_CLIENT_CA_FILE", dir_->File("ca.crt")},
             {"LEADFLOW_TLS_CLIENT_AUTH", client_auth}};
    std::string error;
    testing::ServicePorts ports;
    routing_ = testing::StartService(o, &ports, &error);
    EXPECT_TRUE(routing_) << error;
    return ports.grpc_port;
  }

  std::shared_ptr<grpc::Channel> Channel(int port, const std::string& client = "") {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Slurp(dir_->File("ca.crt"));
    if (!client.empty()) {
      ssl.pem_private_key = Slurp(dir_->File(client + ".key"));
      ssl.pem_cert_chain = Slurp(dir_->File(client + ".crt"));
    }
    return grpc::CreateChannel("localhost:" + std::to_string(port), grpc::SslCredentials(ssl));
  }

  static grpc::Status SetAvailability(const std::shared_ptr<grpc::Channel>& ch,
                                      const std::string& api_key = "") {
    auto stub = rv1::RoutingService::NewStub(ch);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    if (!api_key.empty()) ctx.AddMetadata("x-api-key", api_key);
    rv1::SetRepAvailabilityRequest r;
    r.set_rep_id("ka-belova");
    r.set_availability(rv1::ACTIVE);
    rv1::SetRepAvailabilityResponse resp;
    return stub->SetRepAvailability(&ctx, r, &resp);
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<testing::DevKafka> kafka_;
  std::unique_ptr<testing::ChildProcess> routing_;
};

TEST_F(TlsE2E, OptionalClientCertificatesApiKeyOrCertificateIdentifiesTheCaller) {
  const int port = StartRouting("optional");
  ASSERT_GT(port, 0);
  // Plaintext is not spoken.
  auto plain = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials());
  EXPECT_EQ(SetAvailability(plain, "demo-key-key-accounts").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // TLS, no certificate: the API key decides.
  EXPECT_TRUE(SetAvailability(Channel(port), "demo-key-key-accounts").ok());
  EXPECT_EQ(SetAvailability(Channel(port)).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(SetAvailability(Channel(port), "demo-key-partners").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // TLS with a client certificate: its CN is the caller.
  auto st = SetAvailability(Channel(port, "sales-tool-cert-ka"));
  EXPECT_TRUE(st.ok()) << st.error_message();
  // A valid certificate of someone who is not a configured caller.
  EXPECT_EQ(SetAvailability(Channel(port, "stranger")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TlsE2E, RequiredClientCertificatesRefuseConnectionsWithoutOne) {
  const int port = StartRouting("require");
  ASSERT_GT(port, 0);
  EXPECT_EQ(SetAvailability(Channel(port), "demo-key-key-accounts").error_code(),
            grpc::StatusCode::UNAVAILABLE)
      << "the handshake must fail without a client certificate";
  auto st = SetAvailability(Channel(port, "sales-tool-cert-ka"));
  EXPECT_TRUE(st.ok()) << st.error_message();
}

}  // namespace
}  // namespace leadflow::security
