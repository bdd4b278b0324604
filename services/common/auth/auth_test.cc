#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "common/auth/api_keys.h"
#include "common/auth/rate_limiter.h"
#include "common/auth/sha256.h"

namespace leadflow::auth {
namespace {

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // config/README.md: printf %s demo-key-web | sha256sum
  EXPECT_EQ(Sha256Hex("demo-key-web"),
            "21c7ddc79785335afb3a954b3fe26a45c3355bcc0de95a8d1f444e5c0319bc5d");
  EXPECT_TRUE(IsSha256Hex(Sha256Hex("x")));
  EXPECT_FALSE(IsSha256Hex("abc"));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a') + "g"));
}

TEST(ApiKeyRegistryTest, AuthenticatesByDigestOnly) {
  auto r = ApiKeyRegistry::Create(
      {{"web", Sha256Hex("key-web")}, {"partner", Sha256Hex("key-partner")}, {"topic-only", ""}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->size(), 2u);
  EXPECT_EQ(r->Authenticate("key-web").value_or(""), "web");
  EXPECT_EQ(r->Authenticate("key-partner").value_or(""), "partner");
  EXPECT_FALSE(r->Authenticate("key-web ").has_value());
  EXPECT_FALSE(r->Authenticate("").has_value());
  EXPECT_FALSE(r->Authenticate(Sha256Hex("key-web")).has_value());  // the digest is not a key
  EXPECT_FALSE(r->Authenticate(std::string(10'000, 'k')).has_value());
}

TEST(ApiKeyRegistryTest, UpperCaseDigestAccepted) {
  std::string upper = Sha256Hex("k");
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto r = ApiKeyRegistry::Create({{"s", upper}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Authenticate("k").value_or(""), "s");
}

TEST(ApiKeyRegistryTest, RejectsBadEntriesNamingThem) {
  auto bad = ApiKeyRegistry::Create({{"a", Sha256Hex("1")}, {"b", "not-hex"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("[1].key_sha256_hex"), std::string::npos);
  auto shared = ApiKeyRegistry::Create({{"a", Sha256Hex("1")}, {"b", Sha256Hex("1")}});
  ASSERT_FALSE(shared.ok());
  EXPECT_NE(shared.status().message().find("[1]"), std::string::npos);
  EXPECT_FALSE(ApiKeyRegistry::Create({{"", Sha256Hex("1")}}).ok());
}

TEST(ExtractApiKeyTest, HeaderThenBearer) {
  std::map<std::string, std::string> h;
  auto lookup = [&](const std::string& n) -> std::optional<std::string> {
    auto it = h.find(n);
    if (it == h.end()) return std::nullopt;
    return it->second;
  };
  EXPECT_FALSE(ExtractApiKey(lookup).has_value());
  h["authorization"] = "Basic abc";
  EXPECT_FALSE(ExtractApiKey(lookup).has_value());
  h["authorization"] = "Bearer tok";
  EXPECT_EQ(ExtractApiKey(lookup).value_or(""), "tok");
  h["x-api-key"] = "k1";
  EXPECT_EQ(ExtractApiKey(lookup).value_or(""), "k1");
}

TEST(RateLimiterTest, BurstThenSteadyRate) {
  FakeClock clock(1'000'000);
  RateLimiter limiter(clock);
  limiter.SetLimit("s", 5);  // burst 5
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.TryAcquire("s")) << i;
  EXPECT_FALSE(limiter.TryAcquire("s"));
  clock.Advance(std::chrono::milliseconds(199));
  EXPECT_FALSE(limiter.TryAcquire("s"));
  clock.Advance(std::chrono::milliseconds(1));
  EXPECT_TRUE(limiter.TryAcquire("s"));
  EXPECT_FALSE(limiter.TryAcquire("s"));
  clock.Advance(std::chrono::seconds(60));  // refill is capped at the burst
  int ok = 0;
  while (limiter.TryAcquire("s")) ++ok;
  EXPECT_EQ(ok, 5);
}

TEST(RateLimiterTest, KeysAreIndependentAndUnknownKeysUnlimited) {
  FakeClock clock(0);
  RateLimiter limiter(clock);
  limiter.SetLimit("a", 1);
  limiter.SetLimit("zero", 0);
  EXPECT_TRUE(limiter.TryAcquire("a"));
  EXPECT_FALSE(limiter.TryAcquire("a"));
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(limiter.TryAcquire("other"));
    EXPECT_TRUE(limiter.TryAcquire("zero"));
  }
}

TEST(RateLimiterTest, ClockSteppingBackMintsNothing) {
  FakeClock clock(10'000);
  RateLimiter limiter(clock);
  limiter.SetLimit("s", 1);
  EXPECT_TRUE(limiter.TryAcquire("s"));
  clock.SetMillis(5'000);
  EXPECT_FALSE(limiter.TryAcquire("s"));
  clock.SetMillis(10'500);
  EXPECT_FALSE(limiter.TryAcquire("s"));
  clock.SetMillis(11'000);
  EXPECT_TRUE(limiter.TryAcquire("s"));
}

TEST(RateLimiterTest, ConcurrentCallersNeverExceedTheBurst) {
  FakeClock clock(0);
  RateLimiter limiter(clock);
  limiter.SetLimit("s", 10, 25);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (limiter.TryAcquire("s")) ++granted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 25);
}

}  // namespace
}  // namespace leadflow::auth
