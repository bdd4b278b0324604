// Personal data over the real binaries (issue 9, item 8; docs/privacy.md):
//  - an erasure sent over gRPC (PrivacyService.EraseContact on intake) reaches
//    every service through privacy.erasure: afterwards no key in Redis names
//    the contact except the two documented tombstones, no value holds its
//    email, nurture sends it no further touch, and another contact is
//    untouched;
//  - a consent withdrawal (CONSENT_WITHDRAWN on engagement.events) stops
//    scoring's rescores of the contact, and routing disqualifies a lead of it
//    given before the withdrawal (CONSENT_MISSING) instead of nurturing it.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "common/kafka/topics.h"
#include "common/redis/client.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/intake/v1/intake.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/privacy/v1/privacy.grpc.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"
#include "nurture_e2e_util.h"
#include "common/testing/kafka_test_client.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace pv1 = leadflow::privacy::v1;
namespace ev1 = leadflow::engagement::v1;
namespace cv1 = leadflow::common::v1;
using google::protobuf::util::TimeUtil;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kAnna[] = "anna.erase@gmail.com";
constexpr char kBoris[] = "boris.keep@gmail.com";

std::string SourceLead(const std::string& email, const std::string& source) {
  std::string json = LeadJson(email, "Erase Test LLC", "менеджер", "download_whitepaper");
  json.replace(json.find("web-form-main"), 13, source);
  return json;
}

grpc::Status Erase(const Stack& stack, const std::string& api_key, const std::string& email,
                   pv1::EraseContactResponse* response) {
  auto stub = pv1::PrivacyService::NewStub(
      grpc::CreateChannel(stack.grpc_address("intake"), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(20));
  if (!api_key.empty()) ctx.AddMetadata("x-api-key", api_key);
  pv1::EraseContactRequest req;
  req.set_email(email);
  req.set_request_id("ticket-1");
  return stub->EraseContact(&ctx, req, response);
}

// Every key of the test's Redis, and every string its values hold.
struct RedisView {
  std::vector<std::string> keys;
  std::map<std::string, std::string> values;  // key -> its values joined
};

RedisView ReadRedis(redis::Client& client) {
  RedisView view;
  auto keys = client.Run({"KEYS", "*"});  // a test server with a few hundred keys
  if (!keys.ok()) return view;
  for (const auto& k : keys->elements) {
    view.keys.push_back(k.str);
    auto type = client.Run({"TYPE", k.str});
    if (!type.ok()) continue;
    redis::Command read;
    if (type->str == "string") read = {"GET", k.str};
    if (type->str == "hash") read = {"HGETALL", k.str};
    if (type->str == "set") read = {"SMEMBERS", k.str};
    if (type->str == "zset") read = {"ZRANGE", k.str, "0", "-1"};
    if (type->str == "list") read = {"LRANGE", k.str, "0", "-1"};
    if (read.empty()) continue;
    auto v = client.Run(read);
    if (!v.ok()) continue;
    std::string joined = v->str;
    for (const auto& e : v->elements) joined += "\n" + e.str;
    view.values[k.str] = joined;
  }
  return view;
}

std::vector<std::string> KeysNaming(const RedisView& view, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& k : view.keys) {
    if (k.find(needle) != std::string::npos) out.push_back(k);
  }
  return out;
}

std::vector<std::string> KeysHolding(const RedisView& view, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& [k, v] : view.values) {
    if (v.find(needle) != std::string::npos) out.push_back(k);
  }
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + " ";
  return s;
}

// contact id -> touches on nurture.touches (and the track of each contact).
std::map<std::string, int> TouchesByContact(testing::KafkaTestClient& kafka,
                                            std::map<std::string, std::string>* tracks = nullptr) {
  const int64_t n = kafka.CountMessages(topics::kNurtureTouches, seconds(10));
  std::map<std::string, int> out;
  for (const auto& m : kafka.ConsumeAll(topics::kNurtureTouches,
                                        static_cast<size_t>(std::max<int64_t>(n, 0)), seconds(10))) {
    leadflow::nurture::v1::Touch t;
    if (!t.ParseFromString(m.value)) continue;
    out[t.contact_id()]++;
    if (tracks != nullptr) (*tracks)[t.contact_id()] = t.track_id();
  }
  return out;
}

template <typename Pred>
bool WaitFor(Pred pred, seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(250));
  }
  return pred();
}

// Touches every 4 s of real time (4 schedule hours at 3600x).
std::unique_ptr<Stack> StartNurturingStack(std::unique_ptr<testing::TempDir>& dir,
                                           std::map<std::string, int>* track_steps) {
  std::string error;
  dir = testing::TempDir::Create("leadflow-privacy-config", &error);
  EXPECT_TRUE(dir) << error;
  if (!dir) return nullptr;
  NurtureTiming timing;
  timing.step_delay_hours = 4;
  const auto cfg = WriteTestConfig(*dir, timing, &error);
  EXPECT_TRUE(error.empty()) << error;
  for (const auto& t : cfg.tracks()) (*track_steps)[t.track_id()] = t.steps_size();
  StackOptions opts;
  opts.config_dir = dir->path();
  opts.env["nurture"] = {{"LEADFLOW_NURTURE_TIME_SCALE", "3600"}};
  auto stack = Stack::Start(opts, &error);
  EXPECT_TRUE(stack) << error;
  return stack;
}

TEST(PrivacyE2E, EraseContactOverGrpcErasesEveryServicesStateAndStopsNurture) {
  std::unique_ptr<testing::TempDir> dir;
  std::map<std::string, int> track_steps;
  auto stack = StartNurturingStack(dir, &track_steps);
  ASSERT_TRUE(stack);
  testing::KafkaTestClient kafka(stack->bootstrap());
  auto client = redis::Client::Connect({.url = stack->redis_url()});
  ASSERT_TRUE(client.ok());

  // Anna: two leads (two forms); Boris: one.
  for (const auto& [email, source] : std::vector<std::pair<std::string, std::string>>{
           {kAnna, "web-form-main"}, {kAnna, "webinar-platform"}, {kBoris, "web-form-main"}}) {
    ASSERT_TRUE(kafka.ProduceSync(topics::kLeadsSubmitted, email, SourceLead(email, source),
                                  {{topics::kContentTypeHeader, "application/json"}})
                    .ok);
  }
  // Both are nurtured and touched: then every service holds their state.
  std::map<std::string, int> touches;
  ASSERT_TRUE(WaitFor(
      [&] {
        touches = TouchesByContact(kafka);
        return touches.size() >= 2;
      },
      seconds(40)))
      << stack->Logs("nurture");
  std::string anna, boris;
  size_t named_before = 0, holding_before = 0;
  {
    const RedisView before = ReadRedis(**client);
    // Which touched contact is Anna: a value holding her email holds her contact id.
    for (const auto& [contact, n] : touches) {
      bool is_anna = false;
      for (const auto& k : KeysHolding(before, kAnna)) {
        if (before.values.at(k).find(contact) != std::string::npos) is_anna = true;
      }
      (is_anna ? anna : boris) = contact;
    }
    ASSERT_FALSE(anna.empty());
    ASSERT_FALSE(boris.empty());
    const auto named = KeysNaming(before, anna);
    named_before = named.size();
    holding_before = KeysHolding(before, kAnna).size();
    for (const char* ns : {"lf:{intake}:", "lf:scoring:", "lf:{routing}:", "lf:{nurture}:"}) {
      bool found = false;
      for (const auto& k : named) found = found || k.rfind(ns, 0) == 0;
      EXPECT_TRUE(found) << "before the erasure, " << ns << " keys name the contact: "
                         << Join(named);
    }
  }

  // Only a caller allowed to erase may.
  pv1::EraseContactResponse response;
  EXPECT_EQ(Erase(*stack, "", kAnna, &response).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Erase(*stack, "demo-key-web", kAnna, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The privacy desk's key (config/README.md), with the email as the person gave it.
  const grpc::Status st = Erase(*stack, "demo-key-privacy", "  Anna.Erase@GMAIL.com ", &response);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(response.contact_id(), anna);
  EXPECT_EQ(response.erasure_id().rfind("er-", 0), 0u);

  // Every service applies it: only the documented tombstones still name her,
  // and her email is in no value anywhere.
  const std::set<std::string> tombstones = {"lf:scoring:{c:" + anna + "}:withdrawn",
                                            "lf:{routing}:withdrawn:" + anna};
  RedisView after;
  const bool erased = WaitFor(
      [&] {
        after = ReadRedis(**client);
        for (const auto& k : KeysNaming(after, anna)) {
          if (!tombstones.count(k)) return false;
        }
        return KeysHolding(after, kAnna).empty() && KeysNaming(after, kAnna).empty();
      },
      seconds(30));
  EXPECT_TRUE(erased) << "keys naming her: " << Join(KeysNaming(after, anna))
                      << "\nvalues holding her email: " << Join(KeysHolding(after, kAnna));
  EXPECT_EQ(KeysNaming(after, anna).size(), tombstones.size()) << Join(KeysNaming(after, anna));
  EXPECT_EQ((**client).Run({"SISMEMBER", "lf:{nurture}:unsub", anna})->integer, 1);

  // Nurture sends her nothing more, while Boris's track (enrolled with hers,
  // on the same schedule) runs to its end.
  std::map<std::string, std::string> tracks;
  const auto at_erasure = TouchesByContact(kafka, &tracks);
  const int boris_steps = track_steps[tracks[boris]];
  ASSERT_GT(boris_steps, 0) << tracks[boris];
  std::map<std::string, int> later;
  ASSERT_TRUE(WaitFor(
      [&] {
        later = TouchesByContact(kafka);
        return later[boris] >= boris_steps;
      },
      seconds(40)))
      << "Boris's track did not complete: " << later[boris] << " of " << boris_steps;
  std::this_thread::sleep_for(seconds(2));  // her steps were due with his; nothing more may come
  later = TouchesByContact(kafka);
  EXPECT_EQ(later[anna], at_erasure.at(anna)) << "a touch reached an erased contact";
  EXPECT_LT(at_erasure.at(anna), 2 * boris_steps) << "the erasure must land mid-track (2 leads)";
  std::printf("erasure: keys naming the contact %zu -> %zu (tombstones), values holding the email "
              "%zu -> %zu; touches %d at the erasure, %d after; the other contact's %d -> %d\n",
              named_before, KeysNaming(after, anna).size(), holding_before,
              KeysHolding(after, kAnna).size(), at_erasure.at(anna), later[anna],
              at_erasure.at(boris), later[boris]);

  // Boris is untouched.
  const RedisView end = ReadRedis(**client);
  EXPECT_FALSE(KeysHolding(end, kBoris).empty());
  EXPECT_GE(KeysNaming(end, boris).size(), 4u) << Join(KeysNaming(end, boris));
  const std::string metrics = HttpGet(stack->ports("nurture").admin, "/metrics");
  EXPECT_NE(metrics.find("leadflow_audience_violations_total 0"), std::string::npos);
  for (const auto& name : Stack::ServiceNames()) {
    EXPECT_EQ(stack->FullLogs(name).find(kAnna), std::string::npos) << name << " logged her email";
  }
}

ev1::EngagementEvent Engagement(const std::string& id, const std::string& contact,
                                ev1::EngagementType type) {
  ev1::EngagementEvent e;
  e.set_event_id(id);
  e.set_contact_id(contact);
  e.set_type(type);
  *e.mutable_occurred_at() = TimeUtil::GetCurrentTime();
  return e;
}

TEST(PrivacyE2E, ConsentWithdrawalStopsRescoresAndRoutingDisqualifiesTheContactsEarlierLead) {
  std::string error;
  auto stack = Stack::Start(&error);
  ASSERT_TRUE(stack) << error;
  testing::KafkaTestClient kafka(stack->bootstrap());
  const std::string carol = "carol.withdraws@gmail.com", dan = "dan.stays@gmail.com";
  for (const auto& email : {carol, dan}) {
    ASSERT_TRUE(kafka.ProduceSync(topics::kLeadsSubmitted, email, SourceLead(email, "web-form-main"),
                                  {{topics::kContentTypeHeader, "application/json"}})
                    .ok);
  }
  std::vector<leadflow::scoring::v1::LeadScored> scored;
  auto read_scored = [&] {
    const int64_t n = kafka.CountMessages(topics::kLeadsScored, seconds(10));
    scored.clear();
    for (const auto& m : kafka.ConsumeAll(topics::kLeadsScored,
                                          static_cast<size_t>(std::max<int64_t>(n, 0)),
                                          seconds(10))) {
      scored.emplace_back().ParseFromString(m.value);
    }
    return scored;
  };
  ASSERT_TRUE(WaitFor([&] { return read_scored().size() >= 2; }, seconds(30)))
      << stack->Logs("scoring");
  leadflow::scoring::v1::LeadScored carol_lead, dan_lead;
  for (const auto& s : scored) {
    (s.lead().contact().email() == carol ? carol_lead : dan_lead) = s;
  }
  ASSERT_FALSE(carol_lead.lead().meta().lead_id().empty());
  ASSERT_FALSE(dan_lead.lead().meta().lead_id().empty());
  const std::string carol_id = carol_lead.lead().contact().contact_id();
  const std::string dan_id = dan_lead.lead().contact().contact_id();
  // Routing recorded both before the withdrawal (so the test's in-flight copy
  // below is not confused with them).
  ASSERT_TRUE(WaitFor([&] { return kafka.CountMessages(topics::kLeadsNurture, seconds(10)) >= 2; },
                      seconds(30)))
      << stack->Logs("routing");

  auto produce = [&](const ev1::EngagementEvent& e) {
    ASSERT_TRUE(kafka.ProduceSync(topics::kEngagementEvents, e.contact_id(), e.SerializeAsString())
                    .ok);
  };
  produce(Engagement("e-withdraw", carol_id, ev1::CONSENT_WITHDRAWN));
  std::this_thread::sleep_for(milliseconds(50));
  produce(Engagement("e-carol-open", carol_id, ev1::WEBINAR_ATTENDED));
  produce(Engagement("e-dan-open", dan_id, ev1::WEBINAR_ATTENDED));

  // Scoring rescores Dan, never Carol.
  auto revisions = [&](const std::string& contact) {
    int n = 0;
    for (const auto& s : read_scored()) n += s.lead().contact().contact_id() == contact;
    return n;
  };
  ASSERT_TRUE(WaitFor([&] { return revisions(dan_id) >= 2; }, seconds(30)))
      << stack->Logs("scoring");
  std::this_thread::sleep_for(seconds(1));
  EXPECT_EQ(revisions(carol_id), 1) << "scoring rescored a contact who withdrew consent";

  // A lead of Carol given before the withdrawal, still in flight (a copy with
  // a new lead id), is disqualified with CONSENT_MISSING, not nurtured.
  leadflow::scoring::v1::LeadScored in_flight = carol_lead;
  in_flight.mutable_lead()->mutable_meta()->set_lead_id("L-privacy-in-flight");
  ASSERT_TRUE(kafka.ProduceSync(topics::kLeadsScored, in_flight.lead().meta().account_key(),
                                in_flight.SerializeAsString())
                  .ok);
  leadflow::common::v1::LeadRejected rejected;
  ASSERT_TRUE(WaitFor(
      [&] {
        const int64_t n = kafka.CountMessages(topics::kLeadsRejected, seconds(10));
        for (const auto& m : kafka.ConsumeAll(topics::kLeadsRejected,
                                              static_cast<size_t>(std::max<int64_t>(n, 0)),
                                              seconds(10))) {
          leadflow::common::v1::LeadRejected r;
          if (r.ParseFromString(m.value) && r.meta().lead_id() == "L-privacy-in-flight") {
            rejected = r;
            return true;
          }
        }
        return false;
      },
      seconds(30)))
      << stack->Logs("routing");
  EXPECT_EQ(rejected.stage(), leadflow::common::v1::ROUTING);
  EXPECT_EQ(rejected.reason(), cv1::CONSENT_MISSING);
  EXPECT_TRUE(rejected.disqualified());
  const int64_t n = kafka.CountMessages(topics::kLeadsNurture, seconds(10));
  for (const auto& m : kafka.ConsumeAll(topics::kLeadsNurture,
                                        static_cast<size_t>(std::max<int64_t>(n, 0)), seconds(10))) {
    EXPECT_EQ(m.value.find("L-privacy-in-flight"), std::string::npos)
        << "a withdrawn contact's lead went to nurture";
  }

  // A malformed erasure is dead-lettered by each of the four consumers, like
  // any poison record.
  ASSERT_TRUE(kafka.ProduceSync(topics::kPrivacyErasure, "c-0123456789abcdef", "\xff not a proto")
                  .ok);
  std::set<int> stages;
  ASSERT_TRUE(WaitFor(
      [&] {
        const int64_t total = kafka.CountMessages(topics::kLeadsRejected, seconds(10));
        stages.clear();
        for (const auto& m : kafka.ConsumeAll(topics::kLeadsRejected,
                                              static_cast<size_t>(std::max<int64_t>(total, 0)),
                                              seconds(10))) {
          leadflow::common::v1::LeadRejected r;
          if (r.ParseFromString(m.value) && r.source_topic() == topics::kPrivacyErasure) {
            EXPECT_EQ(r.reason(), cv1::MALFORMED_PAYLOAD);
            stages.insert(r.stage());
          }
        }
        return stages.size() == 4;
      },
      seconds(30)))
      << "stages that dead-lettered it: " << stages.size();
}

}  // namespace
}  // namespace leadflow::e2e
