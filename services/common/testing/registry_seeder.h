// Test support: fills a service's registry view the way its view::TopicView
// would, for tests that do not run Kafka. Each record gets the next offset of
// partition 0 of the view's build, and the view is marked ready afterwards,
// so lookups answer. Not thread-safe.
#pragma once

#include <string>

#include "common/redis/client.h"
#include "common/registry/account_registry.h"

namespace leadflow::testing {

class RegistrySeeder {
 public:
  RegistrySeeder(redis::Client& redis, std::string ns) : registry_(redis, std::move(ns)) {}

  // Applies one accounts.changes record (an empty payload is a tombstone)
  // and marks the view ready. Returns AccountRegistry::Apply's status.
  Status Apply(const std::string& account_key, const std::string& payload);
  // Marks the view ready as it stands (e.g. empty: a topic with no accounts).
  Status MarkReady();

 private:
  registry::AccountRegistry registry_;
};

}  // namespace leadflow::testing
