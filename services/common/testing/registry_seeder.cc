#include "common/testing/registry_seeder.h"

namespace leadflow::testing {

Status RegistrySeeder::Apply(const std::string& account_key, const std::string& payload) {
  auto opened = registry_.view_store().Open("test-epoch");
  if (!opened.ok()) return opened.status();
  kafka::ConsumedMessage record;
  record.topic = "accounts.changes";
  record.partition = 0;
  record.offset = opened->next.count(0) ? opened->next.at(0) : 0;
  record.key = account_key;
  record.payload = payload;
  Status s = registry_.Apply(opened->epoch, record);
  if (s.code() == StatusCode::kInvalidArgument) {
    // As the view does with a refused record: skip it.
    if (Status a = registry_.view_store().Advance(opened->epoch, 0, record.offset + 1); !a.ok()) {
      return a;
    }
  }
  auto marked = registry_.view_store().MarkReady(opened->epoch);
  if (!marked.ok()) return marked.status();
  return s;
}

Status RegistrySeeder::MarkReady() {
  auto opened = registry_.view_store().Open("test-epoch");
  if (!opened.ok()) return opened.status();
  auto marked = registry_.view_store().MarkReady(opened->epoch);
  return marked.ok() ? Status::Ok() : marked.status();
}

}  // namespace leadflow::testing
