// Fault: a fatal Kafka client error ends in a restart, not a zombie.
//
// One OUT_OF_ORDER_SEQUENCE_NUMBER injected into a Produce response makes
// librdkafka's idempotent producer fatal (RD_KAFKA_RESP_ERR__FATAL): it will
// never deliver again. Before the fix the real leadflow-intake binary then
// answered every SubmitLead with UNAVAILABLE while /healthz stayed 200, so a
// liveness probe never restarted it. Now /healthz fails and the process exits
// non-zero (lifecycle::kFatalExitCode) within a bounded time, and the log
// names the underlying error.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "leadflow/intake/v1/intake.grpc.pb.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/redis_server.h"
#include "common/testing/service_process.h"
#include "common/testing/temp_dir.h"
#include "tests/e2e/stack.h"

namespace leadflow::faults {
namespace {

namespace iv1 = leadflow::intake::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr int16_t kProduceApi = 0;
constexpr int kOutOfOrderSequenceNumber = 45;

grpc::StatusCode Submit(iv1::IntakeService::Stub& stub, int n) {
  iv1::LeadSubmission l;
  l.set_source_id("web-form-main");
  l.set_email("fatal-" + std::to_string(n) + "@example-fatal.ru");
  l.set_full_name("Fatal Test");
  l.set_company_name("Fatal Test LLC");
  l.set_industry("telecom");
  l.set_region("RU-MOW");
  l.set_consent(true);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(5));
  ctx.AddMetadata("x-api-key", "demo-key-web");  // config/README.md demo key of web-form-main
  iv1::SubmitLeadRequest req;
  *req.mutable_lead() = l;
  iv1::SubmitLeadResponse resp;
  return stub.SubmitLead(&ctx, req, &resp).error_code();
}

TEST(FaultFatalKafka, AFatalProducerErrorFailsLivenessAndExitsNonZero) {
  std::string error;
  testing::DevKafkaOptions kafka_options;
  kafka_options.quiet = true;
  auto kafka = testing::DevKafka::Start(kafka_options, &error);
  ASSERT_NE(kafka, nullptr) << error;
  auto redis = testing::RedisServer::Start({}, &error);
  ASSERT_NE(redis, nullptr) << error;
  auto dir = testing::TempDir::Create("fatal-kafka");
  testing::ServicePorts ports;
  testing::ServiceProcessOptions service;
  service.service = "intake";
  service.kafka_bootstrap = kafka->bootstrap();
  service.redis_url = redis->url();
  service.work_dir = dir->path();
  auto intake = testing::StartService(service, &ports, &error);
  ASSERT_NE(intake, nullptr) << error;
  auto stub = iv1::IntakeService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(ports.grpc_port), grpc::InsecureChannelCredentials()));

  // Ready, and one lead through, so the producer has its producer id.
  int n = 0;
  grpc::StatusCode warmup = grpc::StatusCode::UNKNOWN;
  for (auto until = Clock::now() + seconds(30); Clock::now() < until; ) {
    int ready = 0;
    e2e::HttpGet(ports.admin_port, "/readyz", &ready);
    if (ready == 200 && (warmup = Submit(*stub, n++)) == grpc::StatusCode::OK) break;
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_EQ(warmup, grpc::StatusCode::OK) << intake->Describe();

  ASSERT_TRUE(kafka->PushRequestErrors(kProduceApi, {kOutOfOrderSequenceNumber}, &error)) << error;
  const auto injected = Clock::now();
  std::optional<Clock::time_point> first_unavailable;
  int zombie_answers = 0;  // UNAVAILABLE while /healthz says 200, after a 2 s grace
  int healthz_failed = 0;
  std::optional<int> exit_code;
  while (Clock::now() - injected < seconds(40)) {
    if (!intake->Running()) {
      exit_code = intake->exit_code();
      break;
    }
    const grpc::StatusCode answer = Submit(*stub, n++);
    int healthz = 0;
    e2e::HttpGet(ports.admin_port, "/healthz", &healthz);
    if (healthz == 503) ++healthz_failed;
    if (answer == grpc::StatusCode::UNAVAILABLE) {
      if (!first_unavailable) first_unavailable = Clock::now();
      if (healthz == 200 && Clock::now() - *first_unavailable > seconds(2)) ++zombie_answers;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  const double exited_after = std::chrono::duration<double>(Clock::now() - injected).count();
  std::printf("[fatal-kafka] exit code %d after %.1f s; /healthz 503 in %d polls; %d answers "
              "UNAVAILABLE with /healthz 200\n",
              exit_code.value_or(-1), exited_after, healthz_failed, zombie_answers);
  const std::string logs = intake->ReadStderr();
  EXPECT_EQ(zombie_answers, 0) << "a zombie: UNAVAILABLE to every lead while alive to its probe\n"
                               << intake->Describe();
  ASSERT_TRUE(exit_code.has_value()) << "still running 40 s after the fatal error\n"
                                     << intake->Describe();
  EXPECT_EQ(*exit_code, 3) << "lifecycle::kFatalExitCode\n" << intake->Describe();
  EXPECT_LT(exited_after, 30.0);
  EXPECT_NE(logs.find("fatal"), std::string::npos) << logs.substr(logs.size() > 4000 ? logs.size() - 4000 : 0);
  EXPECT_NE(logs.find("OUT_OF_ORDER_SEQUENCE_NUMBER"), std::string::npos)
      << "the log names the underlying error\n"
      << logs.substr(logs.size() > 4000 ? logs.size() - 4000 : 0);
}

}  // namespace
}  // namespace leadflow::faults
