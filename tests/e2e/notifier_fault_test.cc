// The notifier's fault test (issue 19.4, "Done when"; docs/notifier.md): the
// real leadflow-notifier binary over devkafka, delivering to a cpp-httplib
// receiver on loopback that fails on purpose. 200 lead assignments go to a
// receiver that answers 500, answers 500 after accepting (a duplicate), or
// stalls past the client's timeout (another duplicate); 10 deal stalls go to
// one that always answers 503. The notifier is SIGKILLed half-way and
// restarted. Then: nothing is lost (every event arrived or is on
// notifications.dead), every request of one event carries one event id
// (dedupe by id gives exactly N), every signature verifies, and the failing
// endpoint's events are dead-lettered with their attempts and last status.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/kafka/topics.h"
#include "common/testing/child_process.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/kafka_test_client.h"
#include "common/testing/redis_server.h"
#include "common/testing/service_process.h"
#include "common/testing/temp_dir.h"
#include "leadflow/notifier/v1/notifier.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "notifier/domain/webhook_signature.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kAssigned = 200;  // to the flaky endpoint
constexpr int kStalls = 10;     // to the endpoint that always fails
constexpr char kKey[] = "e2e-notifier-hmac-key-0123456789";
constexpr int kAttemptTimeoutMs = 400;
constexpr int kStallMs = 700;  // past the attempt timeout

struct Received {
  std::string event_id;
  std::string body;
  std::string timestamp;
  std::string signature;
  int attempt = 0;
};

// A webhook receiver on 127.0.0.1 that misbehaves by event id and attempt:
// first attempts answer 500, accept-then-500, stall past the client's timeout
// (then 200, too late) or 200, a quarter each; second attempts answer 500 a
// third of the time; later attempts 200. /dead always answers 503.
class FaultyReceiver {
 public:
  FaultyReceiver() {
    server_.new_task_queue = [] { return new httplib::ThreadPool(48); };
    server_.Post("/flaky", [this](const httplib::Request& req, httplib::Response& res) {
      const Received r = Record(req, flaky_);
      const size_t h = std::hash<std::string>{}(r.event_id);
      int status = 200;
      if (r.attempt <= 1) {
        switch (h % 4) {
          case 0:
            status = 500;
            break;  // refused (recorded: a duplicate follows)
          case 1:
            status = 500;
            break;  // "accepted" but answered 500
          case 2:
            std::this_thread::sleep_for(milliseconds(kStallMs));  // the client gave up
            break;
          default:
            break;
        }
      } else if (r.attempt == 2 && (h / 4) % 3 == 0) {
        status = 500;
      }
      res.status = status;
      res.set_content("{}", "application/json");
    });
    server_.Post("/dead", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req, dead_);
      res.status = 503;
    });
    // cpp-httplib listens with a backlog of 5 (see services/common/health/
    // http_server.cc): re-armed, so a burst of 32 parallel deliveries is not
    // reset by the kernel before the receiver sees it.
    server_.set_socket_options([this](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      listen_fd_ = sock;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ > 0 && ::listen(listen_fd_, 1024) != 0) port_ = -1;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FaultyReceiver() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::vector<Received> Flaky() {
    std::lock_guard<std::mutex> l(mu_);
    return flaky_;
  }
  std::vector<Received> Dead() {
    std::lock_guard<std::mutex> l(mu_);
    return dead_;
  }
  size_t DistinctFlakyIds() {
    std::lock_guard<std::mutex> l(mu_);
    std::set<std::string> ids;
    for (const auto& r : flaky_) ids.insert(r.event_id);
    return ids.size();
  }

 private:
  Received Record(const httplib::Request& req, std::vector<Received>& into) {
    Received r;
    r.event_id = req.get_header_value("X-Leadflow-Event-Id");
    r.timestamp = req.get_header_value("X-Leadflow-Timestamp");
    r.signature = req.get_header_value("X-Leadflow-Signature");
    r.attempt = std::atoi(req.get_header_value("X-Leadflow-Attempt").c_str());
    r.body = req.body;
    std::lock_guard<std::mutex> l(mu_);
    into.push_back(r);
    return r;
  }

  httplib::Server server_;
  int port_ = 0;
  socket_t listen_fd_ = -1;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Received> flaky_, dead_;
};

std::string NotifierConfig(int port) {
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  return R"({
  "version": "e2e",
  "attempt_timeout_ms": )" +
         std::to_string(kAttemptTimeoutMs) + R"(,
  "max_parallel_deliveries": 32,
  "endpoints": [
    {"id": "flaky", "team": "enterprise", "template": "GENERIC_JSON",
     "url": ")" +
         base + R"(/flaky", "secret_env": "E2E_NOTIFIER_KEY",
     "retry": {"max_attempts": 8, "initial_backoff_ms": 50, "max_backoff_ms": 400,
               "deadline_ms": 30000}},
    {"id": "always-down", "team": "partners", "template": "SLACK",
     "url": ")" +
         base + R"(/dead", "secret_env": "E2E_NOTIFIER_KEY",
     "retry": {"max_attempts": 3, "initial_backoff_ms": 20, "max_backoff_ms": 50,
               "deadline_ms": 10000}}
  ]
})";
}

std::string LeadId(int i) { return "L-nf-" + std::to_string(i); }

std::string AssignedPayload(int i) {
  routing::v1::LeadAssigned a;
  a.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id(LeadId(i));
  a.mutable_scored()->mutable_lead()->mutable_contact()->set_email("person" + std::to_string(i) +
                                                                   "@example.com");
  a.mutable_decision()->set_outcome(routing::v1::ASSIGNED);
  a.mutable_decision()->set_team("enterprise");
  a.mutable_decision()->set_rep_id("en-rep-" + std::to_string(i % 7));
  a.mutable_decision()->mutable_decided_at()->set_seconds(1768381200 + i);
  a.mutable_sla_due_at()->set_seconds(1768384800 + i);
  return a.SerializeAsString();
}

std::string StallPayload(int i) {
  routing::v1::DealStalled s;
  s.set_lead_id("L-stall-" + std::to_string(i));
  s.set_team("partners");
  s.set_rep_id("pa-rep");
  s.set_stage("proposal");
  s.set_version(1000 + i);
  return s.SerializeAsString();
}

class NotifierFaultE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dir_ = testing::TempDir::Create("notifier-e2e", &error);
    ASSERT_NE(dir_, nullptr) << error;
    redis_ = testing::RedisServer::Start({}, &error);
    ASSERT_NE(redis_, nullptr) << error;
    testing::DevKafkaOptions kopts;
    kopts.quiet = true;
    kafka_ = testing::DevKafka::Start(kopts, &error);
    ASSERT_NE(kafka_, nullptr) << error;
    client_ = std::make_unique<testing::KafkaTestClient>(kafka_->bootstrap());
    receiver_ = std::make_unique<FaultyReceiver>();
    ASSERT_GT(receiver_->port(), 0);
    const std::string config_dir = dir_->path() + "/config";
    ASSERT_EQ(::mkdir(config_dir.c_str(), 0755), 0);
    {
      std::ofstream f(config_dir + "/notifier.json");
      f << NotifierConfig(receiver_->port());
    }
    testing::ServiceProcessOptions o;
    o.service = "notifier";
    o.kafka_bootstrap = kafka_->bootstrap();
    o.redis_url = redis_->url();
    o.config_dir = config_dir;
    o.work_dir = dir_->path();
    o.env = {{"E2E_NOTIFIER_KEY", kKey}};
    options_ = testing::MakeServiceProcessOptions(o);
  }

  // Starts the notifier and waits for its ready file; false and error_ on failure.
  bool StartNotifier() {
    std::remove(options_.env.at("LEADFLOW_READY_FILE").c_str());
    notifier_ = testing::ChildProcess::Start(options_, &error_);
    if (!notifier_) return false;
    return testing::WaitForServiceReady(options_, notifier_.get(), &ports_, &error_);
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<testing::DevKafka> kafka_;
  std::unique_ptr<testing::KafkaTestClient> client_;
  std::unique_ptr<FaultyReceiver> receiver_;
  testing::ChildProcessOptions options_;
  std::unique_ptr<testing::ChildProcess> notifier_;
  testing::ServicePorts ports_;
  std::string error_;
};

TEST_F(NotifierFaultE2E, NothingLostOneIdPerEventSignedAndDeadLettered) {
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(StartNotifier()) << error_;
  for (int i = 0; i < kAssigned; ++i) {
    auto r = client_->ProduceSync(topics::kLeadsAssigned, "acct-" + std::to_string(i),
                                  AssignedPayload(i));
    ASSERT_TRUE(r.ok) << r.error;
  }
  for (int i = 0; i < kStalls; ++i) {
    auto r =
        client_->ProduceSync(topics::kDealsStalls, "L-stall-" + std::to_string(i), StallPayload(i));
    ASSERT_TRUE(r.ok) << r.error;
  }

  // A crash half-way: whatever was not committed is consumed again.
  ASSERT_TRUE(WaitFor([&] { return receiver_->DistinctFlakyIds() >= kAssigned / 3; }, seconds(20)))
      << notifier_->ReadStderr();
  EXPECT_EQ(notifier_->Kill(), 137);
  const size_t before_restart = receiver_->Flaky().size();
  ASSERT_TRUE(StartNotifier()) << error_;

  ASSERT_TRUE(WaitFor(
      [&] { return receiver_->DistinctFlakyIds() >= static_cast<size_t>(kAssigned); }, seconds(45)))
      << "distinct ids " << receiver_->DistinctFlakyIds() << "\n"
      << notifier_->ReadStderr();
  const auto dead = client_->ConsumeAll(topics::kNotificationsDead, kStalls, seconds(20));

  // Nothing lost, one id per event, every signature valid.
  const auto flaky = receiver_->Flaky();
  std::map<std::string, std::set<std::string>> bodies_by_id;  // event id -> bodies
  std::map<std::string, std::set<std::string>> ids_by_lead;   // lead id -> event ids
  size_t bad_signatures = 0;
  const int64_t now_s =
      std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  for (const auto& r : flaky) {
    if (!notifier::VerifyWebhook(kKey, r.timestamp, r.body, r.signature)) ++bad_signatures;
    EXPECT_LT(std::llabs(std::atoll(r.timestamp.c_str()) - now_s), 300) << r.timestamp;
    bodies_by_id[r.event_id].insert(r.body);
    const auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j.value("event_id", ""), r.event_id);
    EXPECT_EQ(r.body.find('@'), std::string::npos) << "no email leaves: " << r.body;
    ids_by_lead[j.value("lead_id", "")].insert(r.event_id);
  }
  EXPECT_EQ(bad_signatures, 0u);
  EXPECT_EQ(bodies_by_id.size(), static_cast<size_t>(kAssigned)) << "dedupe by id gives exactly N";
  ASSERT_EQ(ids_by_lead.size(), static_cast<size_t>(kAssigned));
  for (int i = 0; i < kAssigned; ++i) {
    ASSERT_TRUE(ids_by_lead.count(LeadId(i))) << LeadId(i) << " lost";
    EXPECT_EQ(ids_by_lead[LeadId(i)].size(), 1u) << LeadId(i) << " arrived with several ids";
  }
  for (const auto& [id, bodies] : bodies_by_id) EXPECT_EQ(bodies.size(), 1u) << id;
  // The receiver's faults did happen: duplicates by retry, by the stalled
  // answers and by the redelivery after the kill.
  size_t duplicated = 0;
  std::map<std::string, int> seen;
  for (const auto& r : flaky) ++seen[r.event_id];
  for (const auto& [id, n] : seen) duplicated += n > 1;
  EXPECT_GT(flaky.size(), static_cast<size_t>(kAssigned) * 3 / 2)
      << "too few retries to test anything";
  EXPECT_GT(duplicated, static_cast<size_t>(kAssigned) / 2);
  EXPECT_GT(before_restart, 0u);
  std::printf(
      "notifier fault run: %d events to the flaky endpoint, %zu requests, %zu events "
      "received more than once, %zu requests before the SIGKILL; %zu dead letters\n",
      kAssigned, flaky.size(), duplicated, before_restart, dead.size());

  // The failing endpoint: every stall dead-lettered, with its id, target,
  // template, attempts, last status and the body as sent.
  std::set<std::string> dead_ids, dead_leads;
  for (const auto& m : dead) {
    notifier::v1::NotificationDeadLetter d;
    ASSERT_TRUE(d.ParseFromString(m.value));
    EXPECT_EQ(m.key, d.event_id());
    EXPECT_EQ(d.source_topic(), topics::kDealsStalls);
    EXPECT_EQ(d.target(), "team:partners");
    EXPECT_EQ(d.endpoint_id(), "always-down");
    EXPECT_EQ(d.template_(), "SLACK");
    EXPECT_EQ(d.reason(), "attempts_exhausted");
    EXPECT_EQ(d.attempts(), 3);
    EXPECT_EQ(d.last_http_status(), 503);
    const auto body = nlohmann::json::parse(d.body());
    const std::string text = body.value("text", "");
    EXPECT_NE(text.find(d.event_id()), std::string::npos);
    dead_ids.insert(d.event_id());
    const size_t at = text.find("L-stall-");
    ASSERT_NE(at, std::string::npos) << text;
    dead_leads.insert(text.substr(at, text.find('`', at) - at));
  }
  EXPECT_EQ(dead_ids.size(), static_cast<size_t>(kStalls));
  EXPECT_EQ(dead_leads.size(), static_cast<size_t>(kStalls));
  // The always-down receiver saw each stall under its one id, signed.
  std::map<std::string, int> dead_seen;
  for (const auto& r : receiver_->Dead()) {
    EXPECT_TRUE(notifier::VerifyWebhook(kKey, r.timestamp, r.body, r.signature));
    ++dead_seen[r.event_id];
  }
  EXPECT_EQ(dead_seen.size(), static_cast<size_t>(kStalls));
  // (Each of the 3 attempts reached it unless the connection itself failed,
  // which the notifier retries the same way.)
  for (const auto& id : dead_ids) EXPECT_GE(dead_seen[id], 1) << id;

  // No assignment was dead-lettered: its endpoint recovers within its policy.
  for (const auto& m : dead) {
    notifier::v1::NotificationDeadLetter d;
    ASSERT_TRUE(d.ParseFromString(m.value));
    EXPECT_NE(d.source_topic(), topics::kLeadsAssigned);
  }
  EXPECT_GE(
      MetricValue(
          ports_.admin_port,
          "leadflow_notifier_deliveries_total{outcome=\"delivered\",template=\"GENERIC_JSON\"}"),
      1);
  EXPECT_EQ(notifier_->Terminate(), 0) << notifier_->ReadStderr();
  std::printf("notifier fault run took %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace
}  // namespace leadflow::e2e
