// RedisRateLimiter against a real redis-server: the burst and the refill run
// on the server's clock, several clients (replicas) share one bucket, the
// bucket key has a TTL and a known size, and when Redis is down or refuses
// the answer is kUnavailable, never kAllowed.
#include "common/ratelimit/redis_rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/redis/client.h"
#include "common/testing/redis_server.h"

namespace leadflow::ratelimit {
namespace {

using auth::RateDecision;
using std::chrono::milliseconds;

class RedisRateLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(server_) << error;
  }
  std::unique_ptr<redis::Client> Connect(const std::string& url = "") {
    auto c = redis::Client::Connect(
        {.url = url.empty() ? server_->url() : url, .timeout = milliseconds(500)});
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? std::move(*c) : nullptr;
  }
  // Acquires n times; returns how many were allowed (fails on kUnavailable).
  static int AllowedOf(RedisRateLimiter& limiter, const std::string& key, int n) {
    int allowed = 0;
    for (int i = 0; i < n; ++i) {
      const RateDecision d = limiter.Acquire(key);
      EXPECT_NE(d, RateDecision::kUnavailable);
      allowed += d == RateDecision::kAllowed ? 1 : 0;
    }
    return allowed;
  }
  std::unique_ptr<testing::RedisServer> server_;
};

TEST_F(RedisRateLimiterTest, BurstThenLimited) {
  auto client = Connect();
  ASSERT_TRUE(client);
  RedisRateLimiter limiter(*client, "intake");
  limiter.SetLimit("web", 0.5, 3);  // a token every 2 s: none comes back during the test
  EXPECT_EQ(AllowedOf(limiter, "web", 10), 3);
  EXPECT_EQ(limiter.BucketKey("web"), "lf:{intake}:rate:web");
}

TEST_F(RedisRateLimiterTest, DefaultBurstIsOneSecondsWorth) {
  auto client = Connect();
  ASSERT_TRUE(client);
  RedisRateLimiter limiter(*client, "intake");
  limiter.SetLimit("fast", 20, 0);
  limiter.SetLimit("slow", 0.1, 0);  // at least one token
  // The burst of 20, plus what refills while the 40 calls run.
  const auto start = std::chrono::steady_clock::now();
  const int fast = AllowedOf(limiter, "fast", 40);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(fast, 20);
  EXPECT_LE(fast, static_cast<int>(20 + 20 * seconds) + 1) << seconds << " s";
  EXPECT_EQ(AllowedOf(limiter, "slow", 5), 1);
}

TEST_F(RedisRateLimiterTest, RefillsByElapsedTime) {
  auto client = Connect();
  ASSERT_TRUE(client);
  RedisRateLimiter limiter(*client, "intake");
  limiter.SetLimit("s", 10, 1);  // one token per 100 ms
  EXPECT_EQ(limiter.Acquire("s"), RateDecision::kAllowed);
  EXPECT_EQ(limiter.Acquire("s"), RateDecision::kLimited);
  std::this_thread::sleep_for(milliseconds(250));
  EXPECT_EQ(limiter.Acquire("s"), RateDecision::kAllowed);  // refilled to the burst, not 2.5
  EXPECT_EQ(limiter.Acquire("s"), RateDecision::kLimited);
}

TEST_F(RedisRateLimiterTest, KeysAreIndependentAndUnlimitedKeysNeverTouchRedis) {
  auto client = Connect();
  ASSERT_TRUE(client);
  RedisRateLimiter limiter(*client, "intake");
  limiter.SetLimit("a", 0.01, 1);
  limiter.SetLimit("b", 0.01, 1);
  limiter.SetLimit("zero", 0, 0);
  EXPECT_EQ(AllowedOf(limiter, "a", 3), 1);
  EXPECT_EQ(AllowedOf(limiter, "b", 3), 1);
  EXPECT_EQ(AllowedOf(limiter, "zero", 50), 50);
  EXPECT_EQ(AllowedOf(limiter, "unconfigured", 50), 50);
  EXPECT_EQ(server_->Command({"EXISTS", "lf:{intake}:rate:zero"}), "0");
  EXPECT_EQ(server_->Command({"EXISTS", "lf:{intake}:rate:unconfigured"}), "0");
  EXPECT_EQ(server_->Command({"DBSIZE"}), "2");
}

// Two replicas (own connections, own limiter objects) share one bucket: the
// burst is taken once in total, not once each.
TEST_F(RedisRateLimiterTest, ReplicasShareOneBucket) {
  auto c1 = Connect();
  auto c2 = Connect();
  ASSERT_TRUE(c1 && c2);
  RedisRateLimiter r1(*c1, "intake");
  RedisRateLimiter r2(*c2, "intake");
  r1.SetLimit("web", 0.01, 5);
  r2.SetLimit("web", 0.01, 5);
  int allowed = 0;
  for (int i = 0; i < 10; ++i) allowed += AllowedOf(i % 2 ? r1 : r2, "web", 1);
  EXPECT_EQ(allowed, 5);
}

// Many threads on two clients for ~600 ms: the total stays within the burst
// plus what the rate refills, measured on the server's clock.
TEST_F(RedisRateLimiterTest, ConcurrentReplicasNeverExceedRateTimesTimePlusBurst) {
  auto c1 = Connect();
  auto c2 = Connect();
  ASSERT_TRUE(c1 && c2);
  RedisRateLimiter r1(*c1, "intake");
  RedisRateLimiter r2(*c2, "intake");
  constexpr double kRate = 20, kBurst = 5;
  r1.SetLimit("web", kRate, kBurst);
  r2.SetLimit("web", kRate, kBurst);
  std::atomic<int> allowed{0}, unavailable{0}, calls{0};
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + milliseconds(600);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      RedisRateLimiter& l = t % 2 ? r1 : r2;
      while (std::chrono::steady_clock::now() < deadline && calls.fetch_add(1) < 20000) {
        const RateDecision d = l.Acquire("web");
        if (d == RateDecision::kAllowed) ++allowed;
        if (d == RateDecision::kUnavailable) ++unavailable;
      }
    });
  }
  for (auto& th : threads) th.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(unavailable.load(), 0);
  EXPECT_LE(allowed.load(), static_cast<int>(kBurst + kRate * seconds) + 1)
      << "calls " << calls.load() << " in " << seconds << " s";
  EXPECT_GE(allowed.load(), static_cast<int>(kBurst));
}

// The script reads TIME on the server, never the caller's clock; a bucket
// stamped in the future (a server clock that stepped back, or a replica with
// a fast clock under a design that trusted callers) mints nothing.
TEST_F(RedisRateLimiterTest, ServerClockSteppingBackMintsNothing) {
  auto client = Connect();
  ASSERT_TRUE(client);
  RedisRateLimiter limiter(*client, "intake");
  limiter.SetLimit("web", 1000, 1000);
  const std::string future_us = std::to_string(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1))
          .count());
  ASSERT_EQ(server_->Command({"HSET", "lf:{intake}:rate:web", "tokens", "0", "ts", future_us}),
            "2");
  EXPECT_EQ(AllowedOf(limiter, "web", 20), 0);
}

TEST_F(RedisRateLimiterTest, BucketHasATtlPastAFullRefillAndAKnownSize) {
  auto client = Connect();
  ASSERT_TRUE(client);
  RedisRateLimiter limiter(*client, "intake");
  limiter.SetLimit("web-form-main", 50, 0);  // full refill 1 s
  limiter.SetLimit("e2e-limited", 0.2, 0);   // full refill 5 s
  ASSERT_EQ(limiter.Acquire("web-form-main"), RateDecision::kAllowed);
  ASSERT_EQ(limiter.Acquire("e2e-limited"), RateDecision::kAllowed);
  const int fast_ttl =
      std::stoi(server_->Command({"PTTL", "lf:{intake}:rate:web-form-main"}).value_or("-9"));
  EXPECT_GT(fast_ttl, 5000);
  EXPECT_LE(fast_ttl, 1000 + RedisRateLimiter::kTtlSlackMs);
  const int slow_ttl =
      std::stoi(server_->Command({"PTTL", "lf:{intake}:rate:e2e-limited"}).value_or("-9"));
  EXPECT_GT(slow_ttl, 9000);
  EXPECT_LE(slow_ttl, 5000 + RedisRateLimiter::kTtlSlackMs);
  // docs/state.md: ~100 B per configured source (key, hash, expiry).
  const int bytes = std::stoi(
      server_->Command({"MEMORY", "USAGE", "lf:{intake}:rate:web-form-main"}).value_or("-1"));
  std::cout << "bytes per bucket: " << bytes << "\n";
  EXPECT_GT(bytes, 0);
  EXPECT_LE(bytes, 128);
}

// Never fail open: Redis down is kUnavailable (not allowed) on every call,
// and the limiter recovers by itself when Redis is back (the restart flushed
// the script cache; the client reloads it).
TEST_F(RedisRateLimiterTest, RedisDownIsUnavailableNeverAllowed) {
  auto client = Connect();
  ASSERT_TRUE(client);
  RedisRateLimiter limiter(*client, "intake");
  limiter.SetLimit("web", 100, 100);
  ASSERT_EQ(limiter.Acquire("web"), RateDecision::kAllowed);
  server_->Stop();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("web"), RateDecision::kUnavailable);
  std::string error;
  ASSERT_TRUE(server_->Restart(&error)) << error;
  EXPECT_EQ(limiter.Acquire("web"), RateDecision::kAllowed);
}

// Redis answering with an error (here an ACL user not allowed the rate keys;
// an OOM or a script error is the same path) is kUnavailable too.
TEST_F(RedisRateLimiterTest, RedisRefusingIsUnavailableNeverAllowed) {
  ASSERT_EQ(
      server_->Command({"ACL", "SETUSER", "no-rate", "on", ">pw", "~lf:{intake}:idem:*", "+@all"}),
      "OK");
  auto client = Connect("redis://no-rate:pw@127.0.0.1:" + std::to_string(server_->port()));
  ASSERT_TRUE(client);
  RedisRateLimiter limiter(*client, "intake");
  limiter.SetLimit("web", 100, 100);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("web"), RateDecision::kUnavailable);
}

// The prod overlay's intake user (deploy/k8s/overlays/prod/redis/users.acl:
// its own keys, no admin or dangerous commands) may run the bucket, TIME
// included.
TEST_F(RedisRateLimiterTest, ServiceAclUserMayRunTheBucket) {
  ASSERT_EQ(
      server_->Command({"ACL", "SETUSER", "leadflow-intake", "on", ">pw", "resetkeys",
                        "~lf:{intake}:*", "resetchannels", "+@all", "-@admin", "-@dangerous"}),
      "OK");
  auto client = Connect("redis://leadflow-intake:pw@127.0.0.1:" + std::to_string(server_->port()));
  ASSERT_TRUE(client);
  RedisRateLimiter limiter(*client, "intake");
  limiter.SetLimit("web", 0.01, 2);
  EXPECT_EQ(AllowedOf(limiter, "web", 4), 2);
}

// A lowered burst (a config reload) takes effect on the stored bucket at once.
TEST_F(RedisRateLimiterTest, LoweredBurstAppliesAtOnce) {
  auto client = Connect();
  ASSERT_TRUE(client);
  RedisRateLimiter limiter(*client, "intake");
  limiter.SetLimit("web", 0.01, 100);
  ASSERT_EQ(limiter.Acquire("web"), RateDecision::kAllowed);  // 99 left
  limiter.SetLimit("web", 0.01, 2);
  EXPECT_EQ(AllowedOf(limiter, "web", 10), 2);
}

}  // namespace
}  // namespace leadflow::ratelimit
