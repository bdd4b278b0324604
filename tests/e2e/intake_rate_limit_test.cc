// e2e: a source's rate limit holds across intake replicas. Two real
// leadflow-intake processes share one redis-server and one devkafka; a source
// with rate R (burst R) is hammered through both for a few seconds, and the
// total accepted stays within R x seconds + burst, not twice that (each
// replica used to keep its own bucket). docs/security.md, "Rate limits".
// Loopback only; bounded in time (3 s of traffic) and count.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "common/auth/sha256.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/paths.h"
#include "common/testing/redis_server.h"
#include "common/testing/service_process.h"
#include "common/testing/temp_dir.h"

namespace leadflow::e2e {
namespace {

constexpr char kKey[] = "e2e-shared-rate-key";
constexpr double kRate = 4;  // per second; burst = one second's worth
constexpr double kBurst = 4;
constexpr auto kTraffic = std::chrono::seconds(3);
constexpr int kMaxRequestsPerReplica = 1500;

struct Replica {
  std::unique_ptr<testing::ChildProcess> process;
  testing::ServicePorts ports;
};

struct Tally {
  int accepted = 0;  // 202
  int limited = 0;   // 429
  std::map<int, int> other;
};

// Posts distinct valid leads to one replica until `deadline`, a couple of
// milliseconds apart.
Tally Hammer(int port, int replica, std::chrono::steady_clock::time_point deadline) {
  Tally t;
  httplib::Client client("127.0.0.1", port);
  // A new connection per request: keep-alive requests each wait ~85 ms on
  // this server (delayed ACKs), which would leave the buckets barely used.
  client.set_keep_alive(false);
  client.set_connection_timeout(2);
  client.set_read_timeout(10);
  const httplib::Headers headers = {{"X-Api-Key", kKey}};
  for (int i = 0; i < kMaxRequestsPerReplica && std::chrono::steady_clock::now() < deadline; ++i) {
    const std::string body = R"({"email":"rl-)" + std::to_string(replica) + "-" +
                             std::to_string(i) +
                             R"(@rate-corp.ru","job_title":"CTO","consent":true})";
    auto res = client.Post("/v1/leads", headers, body, "application/json");
    const int status = res ? res->status : -1;
    if (status == 202) {
      ++t.accepted;
    } else if (status == 429) {
      ++t.limited;
    } else {
      ++t.other[status];
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return t;
}

class IntakeRateLimitE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dir_ = testing::TempDir::Create("intake-rate", &error);
    ASSERT_TRUE(dir_) << error;
    std::ifstream in(testing::SourcePath("config/intake.json"));
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json config = nlohmann::json::parse(text.str(), nullptr, false);
    ASSERT_FALSE(config.is_discarded());
    config["sources"].push_back({{"source_id", "e2e-shared"},
                                 {"api_key_sha256", auth::Sha256Hex(kKey)},
                                 {"rate_per_second", kRate}});
    std::ofstream(dir_->File("intake.json")) << config.dump(2);

    redis_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(redis_) << error;
    testing::DevKafkaOptions kopts;
    kopts.quiet = true;
    kafka_ = testing::DevKafka::Start(kopts, &error);
    ASSERT_TRUE(kafka_) << error;
    for (int i = 0; i < 2; ++i) {
      const std::string work = dir_->File("replica-" + std::to_string(i));
      std::filesystem::create_directories(work);
      testing::ServiceProcessOptions o;
      o.service = "intake";
      o.kafka_bootstrap = kafka_->bootstrap();
      o.redis_url = redis_->url();
      o.config_dir = dir_->path();
      o.work_dir = work;
      Replica r;
      r.process = testing::StartService(o, &r.ports, &error);
      ASSERT_TRUE(r.process) << error;
      ASSERT_TRUE(testing::WaitForServiceReadyz(r.ports.admin_port, &error)) << error;
      replicas_.push_back(std::move(r));
    }
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<testing::DevKafka> kafka_;
  std::vector<Replica> replicas_;
};

TEST_F(IntakeRateLimitE2eTest, TwoReplicasTogetherAdmitTheConfiguredRate) {
  // Hammer both replicas at once (the bucket starts full: the burst).
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + kTraffic;
  std::vector<Tally> tallies(replicas_.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < replicas_.size(); ++i) {
    threads.emplace_back([&, i] {
      tallies[i] = Hammer(replicas_[i].ports.http_port, static_cast<int>(i), deadline);
    });
  }
  for (auto& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  int accepted = 0;
  std::ostringstream report;
  for (size_t i = 0; i < tallies.size(); ++i) {
    accepted += tallies[i].accepted;
    report << "replica " << i << ": " << tallies[i].accepted << " accepted, " << tallies[i].limited
           << " limited";
    for (const auto& [status, n] : tallies[i].other) report << ", " << n << " x " << status;
    report << "\n";
    EXPECT_TRUE(tallies[i].other.empty()) << report.str();
    // Both replicas were driven past the limit.
    EXPECT_GT(tallies[i].limited, 0) << report.str();
  }
  report << "total " << accepted << " accepted in " << seconds << " s\n";
  std::cout << report.str();
  // One shared bucket: at most the burst plus what the rate refills while the
  // traffic runs (+1 for a token refilled between the clock reads). Per-replica
  // buckets admit about twice this.
  EXPECT_LE(accepted, static_cast<int>(kBurst + kRate * seconds) + 1) << report.str();
  // And the limit is a limit, not a wall: most of it was used.
  EXPECT_GE(accepted, static_cast<int>(kRate * seconds * 0.6)) << report.str();
  // The shared bucket is the one key of this family, with a TTL.
  const auto ttl = redis_->Command({"PTTL", "lf:{intake}:rate:e2e-shared"});
  ASSERT_TRUE(ttl.has_value());
  EXPECT_GT(std::stoi(*ttl), 0) << *ttl;
}

}  // namespace
}  // namespace leadflow::e2e
