// Fault 4: a poison message on every input topic of every service -
// malformed bytes, a record of an unknown schema version (only fields this
// version does not know) and a huge record (~900 KB). Each consuming service
// must dead-letter it to leads.rejected (stage, source topic and offset, the
// original bytes), keep its partition moving (valid leads produced after the
// poison still reach their final output) and stay up (same process, /readyz).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "common/kafka/topics.h"
#include "leadflow/intake/v1/intake.pb.h"
#include "tests/faults/fault_harness.h"

namespace leadflow::faults {
namespace {

namespace iv1 = leadflow::intake::v1;
using std::chrono::seconds;

struct InputTopic {
  const char* topic;
  std::vector<iv1::Stage> consumers;
  bool json = false;  // leads.submitted: JSON by default
};

const std::vector<InputTopic>& InputTopics() {
  static const std::vector<InputTopic> t = {
      {topics::kLeadsSubmitted, {iv1::INTAKE}, true},
      {topics::kAccountsChanges, {iv1::INTAKE, iv1::NURTURE}},
      {topics::kLeadsAccepted, {iv1::SCORING}},
      {topics::kEngagementEvents, {iv1::SCORING, iv1::NURTURE}},
      {topics::kLeadsScored, {iv1::ROUTING}},
      {topics::kSalesFeedback, {iv1::ROUTING, iv1::NURTURE}},
      {topics::kLeadsNurture, {iv1::NURTURE}},
      {topics::kAccountsInbound, {iv1::NURTURE}},
      {topics::kLeadsAssigned, {iv1::NURTURE}},
  };
  return t;
}

struct Poison {
  std::string kind;
  std::string value;
  testing::KafkaHeaders headers;
};

std::vector<Poison> PoisonsFor(const InputTopic& t) {
  std::mt19937 rng(42);
  std::string huge(900 * 1000, '\0');
  for (auto& c : huge) c = static_cast<char>(rng() & 0xff);
  huge[0] = '\x0a';  // field 1, length-delimited, with a length beyond the record
  huge[1] = '\xff';
  huge[2] = '\xff';
  huge[3] = '\xff';
  huge[4] = '\x0f';
  // Field 999 (string) only: parses, but carries nothing this schema knows.
  const std::string future_schema = std::string("\xba\x3e\x02v2", 5);
  if (t.json) {
    return {{"malformed", R"({"source_id":"web-form-main","email": )", {}},
            {"unknown-schema", future_schema, {{topics::kContentTypeHeader, "application/x-protobuf"}}},
            {"unknown-content-type", "\x00\x01\x02", {{topics::kContentTypeHeader, "application/avro"}}},
            {"huge", "{\"source_id\":\"web-form-main\",\"comment\":\"" + std::string(900 * 1000, 'a') + "\"}",
             {}}};
  }
  return {{"malformed", std::string("\x0a\xff\xff\xff\xff\x0fgarbage", 12), {}},
          {"unknown-schema", future_schema, {}},
          {"huge", huge, {}}};
}

// Pairs (stage|topic|kind) a service does not dead-letter yet (none now;
// keep the mechanism so a gap is listed, not hidden).
const std::set<std::string>& KnownGaps() {
  static const std::set<std::string> gaps = {};
  return gaps;
}

TEST(FaultPoison, EveryInputTopicDeadLettersPoisonAndKeepsMoving) {
  std::string error;
  auto stack = e2e::Stack::Start(&error);
  ASSERT_TRUE(stack) << error;
  testing::KafkaTestClient kafka(stack->bootstrap(), {{"message.max.bytes", "2000000"}});
  ASSERT_TRUE(PublishRegistry(*stack, kafka)) << stack->Logs("intake");

  // topic/partition/offset -> (kind, stages expected to dead-letter it)
  std::map<std::tuple<std::string, int, int64_t>, std::pair<std::string, std::vector<iv1::Stage>>>
      poisons;
  for (const auto& t : InputTopics()) {
    for (const auto& p : PoisonsFor(t)) {
      auto r = kafka.ProduceSync(t.topic, std::string("poison-") + p.kind, p.value, p.headers, 0);
      ASSERT_TRUE(r.ok) << t.topic << " " << p.kind << ": " << r.error;
      poisons[{t.topic, r.partition, r.offset}] = {p.kind, t.consumers};
    }
  }
  // Valid traffic after the poison, through every partition including the
  // poisoned ones: it must still get through.
  const auto plan = MakeLeads(120, "poison");
  {
    LeadProducer producer(stack->bootstrap(), plan, 0, 2);
    ASSERT_TRUE(producer.Wait(seconds(60)));
  }
  const Tally t = WaitForAll(kafka, plan, seconds(90));
  std::printf("%s\n", t.Summary("poison").c_str());
  EXPECT_EQ(t.lost, 0) << t.examples;
  EXPECT_EQ(t.duplicates, 0) << t.examples;
  EXPECT_EQ(t.misrouted, 0) << t.examples;

  // Every (poison, consumer) pair has its rejection (polled: the consumer
  // groups run independently of the lead flow checked above).
  std::map<std::tuple<std::string, int, int64_t, int>, int> rejected;
  testing::KafkaTestClient reader(stack->bootstrap(), {},
                                  {{"fetch.max.bytes", "52428800"},
                                   {"max.partition.fetch.bytes", "10485760"},
                                   {"receive.message.max.bytes", "104857600"}});
  auto missing_pairs = [&] {
    rejected.clear();
    // Several dead letters are ~900 KB: read with large fetch limits, and
    // never trust a count that did not reach the end.
    const int64_t n = reader.CountMessages(topics::kLeadsRejected, seconds(60));
    if (n < 0) return std::vector<std::string>(1000, "leads.rejected unreadable");
    for (const auto& m :
         reader.ConsumeAll(topics::kLeadsRejected, static_cast<size_t>(n), seconds(60))) {
      iv1::LeadRejected r;
      if (!r.ParseFromString(m.value)) continue;
      ++rejected[{r.source_topic(), r.source_partition(), r.source_offset(), r.stage()}];
    }
    std::vector<std::string> out;
    for (const auto& [where, what] : poisons) {
      for (auto stage : what.second) {
        const auto& [topic, partition, offset] = where;
        if (rejected.count({topic, partition, offset, stage})) continue;
        out.push_back(iv1::Stage_Name(stage) + "|" + topic + "|" + what.first);
      }
    }
    return out;
  };
  std::vector<std::string> missing_list;
  WaitUntil([&] { return (missing_list = missing_pairs()).size() <= KnownGaps().size(); },
            seconds(30));
  int total = 0;
  for (const auto& [where, what] : poisons) total += static_cast<int>(what.second.size());
  int missing = 0;
  for (const auto& m : missing_list) {
    if (KnownGaps().count(m)) {
      std::printf("[poison] KNOWN GAP (see docs/reliability.md): %s not dead-lettered\n", m.c_str());
      continue;
    }
    ++missing;
    std::string service = m.substr(0, m.find('|'));
    for (auto& c : service) c = static_cast<char>(std::tolower(c));
    ADD_FAILURE() << "not dead-lettered (stage|topic|kind): " << m << "\n" << stack->Logs(service);
  }
  for (const auto& gap : KnownGaps()) {
    if (std::find(missing_list.begin(), missing_list.end(), gap) == missing_list.end()) {
      ADD_FAILURE() << "known gap " << gap << " is fixed: remove it from KnownGaps()";
    }
  }
  const int known = static_cast<int>(missing_list.size()) - missing;
  std::printf("[poison] %zu poison records on %zu topics, %d dead-lettered by their consumers, "
              "%d missing\n",
              poisons.size(), InputTopics().size(), total - missing - known, missing + known);

  // Still the same processes, all ready.
  for (const auto& s : e2e::Stack::ServiceNames()) {
    int status = 0;
    e2e::HttpGet(stack->ports(s).http, "/readyz", &status);
    EXPECT_EQ(status, 200) << s << " not ready after the poison\n" << stack->Logs(s);
  }
}

}  // namespace
}  // namespace leadflow::faults
