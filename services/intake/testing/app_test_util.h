// Fixtures for intake app tests: a processor over in-memory stores, a
// thread-safe producer fake, and helpers to decode what was published.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>

#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "common/testing/fake_kafka.h"
#include "intake/app/account_contact_store.h"
#include "intake/app/account_directory.h"
#include "intake/app/id_generator.h"
#include "intake/app/idempotency_store.h"
#include "intake/app/intake_metrics.h"
#include "intake/app/intake_processor.h"
#include "intake/testing/in_memory_account_directory.h"
#include "intake/testing/in_memory_idempotency_store.h"
#include "intake/testing/intake_test_util.h"
#include "leadflow/engagement/v1/engagement.pb.h"

namespace leadflow::intake::testutil {

// FakeProducer behind a mutex, for tests that publish from many threads.
class LockedProducer : public kafka::Producer {
 public:
  Status Produce(const kafka::OutgoingMessage& m) override {
    std::lock_guard<std::mutex> lock(mu_);
    return inner.Produce(m);
  }
  Status Flush(std::chrono::milliseconds t) override {
    std::lock_guard<std::mutex> lock(mu_);
    return inner.Flush(t);
  }
  Status ProduceAndWait(const kafka::OutgoingMessage& m, std::chrono::milliseconds t) override {
    std::lock_guard<std::mutex> lock(mu_);
    return inner.ProduceAndWait(m, t);
  }
  std::vector<kafka::OutgoingMessage> SentTo(const std::string& topic) {
    std::lock_guard<std::mutex> lock(mu_);
    return inner.SentTo(topic);
  }
  testing::FakeProducer inner;

 private:
  std::mutex mu_;
};

// The contacts seen on each account's leads, in memory; "down" answers
// kUnavailable, as the Redis store does while its view is not ready.
class InMemoryAccountContactStore final : public AccountContactStore {
 public:
  std::vector<StatusOr<SeenContactsSummary>> RecordMany(
      const std::vector<Sighting>& sightings) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<StatusOr<SeenContactsSummary>> out;
    for (const auto& s : sightings) {
      if (down_) {
        out.push_back(Status::Unavailable("coverage view not ready"));
        continue;
      }
      auto& known = by_account_[s.account_key];
      bool replaced = false;
      for (auto& k : known) {
        if (k.contact_id == s.contact.contact_id) {
          k = s.contact;
          replaced = true;
        }
      }
      if (!replaced) known.push_back(s.contact);
      std::vector<KnownContact> crm;
      for (const auto& id : s.crm_contact_ids) crm.push_back(KnownContact{id});
      out.push_back(SummariseSeen(known, crm));
    }
    return out;
  }
  void SetDown(bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    down_ = down;
  }
  size_t Accounts() {
    std::lock_guard<std::mutex> lock(mu_);
    return by_account_.size();
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<KnownContact>> by_account_;
  bool down_ = false;
};

struct ProcessorFixture {
  explicit ProcessorFixture(IdempotencyStore* store_override = nullptr,
                            AccountDirectory* accounts_override = nullptr)
      : clock(1'795'000'000'000),
        registry(std::make_unique<metrics::Registry>()),
        service_metrics(*registry, "intake"),
        metrics(service_metrics),
        memory_store(clock),
        ids(42),
        processor(SmallPolicy(), store_override ? *store_override : memory_store,
                  accounts_override ? *accounts_override : accounts, metrics, clock, ids,
                  testutil::TestContactIdKey()) {}

  FakeClock clock;
  std::unique_ptr<metrics::Registry> registry;
  metrics::ServiceMetrics service_metrics;
  IntakeMetrics metrics;
  InMemoryIdempotencyStore memory_store;
  InMemoryAccountDirectory accounts;
  IdGenerator ids;
  IntakeProcessor processor;
};

inline leadflow::intake::v1::LeadAccepted DecodeAccepted(const kafka::OutgoingMessage& m) {
  leadflow::intake::v1::LeadAccepted a;
  EXPECT_TRUE(a.ParseFromString(m.payload));
  return a;
}

inline std::string Header(const kafka::OutgoingMessage& m, const std::string& name) {
  for (const auto& h : m.headers) {
    if (h.key == name) return h.value;
  }
  return "";
}

inline leadflow::accounts::v1::AccountState CustomerAccount() {
  leadflow::accounts::v1::AccountState a;
  a.set_account_key("7707083893");
  a.set_relationship(leadflow::common::v1::CUSTOMER);
  a.add_domains("example.ru");
  a.set_inn("7707083893");
  a.set_owner_rep_id("rep-ivanova");
  a.set_owner_team("key-accounts");
  return a;
}

}  // namespace leadflow::intake::testutil
