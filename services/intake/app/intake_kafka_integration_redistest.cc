// The leadflow-intake binary against a real redis-server and devkafka:
// concurrent dedupe across gRPC and HTTP, registry updates from
// accounts.changes taking effect without a restart, no topic event lost, and
// the buying-committee coverage rebuilt from accounts.contacts after a Redis
// loss, including a contact seen longer ago than leads.accepted keeps.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "common/kafka/topics.h"
#include "intake/testing/intake_process.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/intake/v1/intake.grpc.pb.h"
#include "common/testing/kafka_test_client.h"

namespace leadflow::intake {
namespace {

using std::chrono::seconds;
namespace iv1 = leadflow::intake::v1;

constexpr char kKey[] = "demo-key-web";  // config/README.md: web-form-main's demo key

class IntakeKafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    testing::IntakeProcessOptions o;
    // Room for 50 simultaneous submissions from one source.
    o.edit_config = [](nlohmann::json& c) {
      for (auto& s : c["sources"]) s["rate_per_second"] = 1000;
    };
    intake_ = testing::IntakeProcess::Start(o, &error);
    ASSERT_NE(intake_, nullptr) << error;
    kafka_ = std::make_unique<leadflow::testing::KafkaTestClient>(intake_->bootstrap());
  }

  grpc::Status SubmitGrpc(const iv1::LeadSubmission& lead, iv1::SubmitLeadResponse* resp) {
    auto stub = iv1::IntakeService::NewStub(
        grpc::CreateChannel(intake_->grpc_address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(20));
    ctx.AddMetadata("x-api-key", kKey);
    iv1::SubmitLeadRequest req;
    *req.mutable_lead() = lead;
    return stub->SubmitLead(&ctx, req, resp);
  }

  static iv1::LeadSubmission Lead(const std::string& email) {
    iv1::LeadSubmission l;
    l.set_source_id("web-form-main");
    l.set_email(email);
    l.set_full_name("Test Person");
    l.set_job_title("CIO");
    l.set_intent("request_proposal");
    l.set_consent(true);
    return l;
  }

  static std::string ToJson(const iv1::LeadSubmission& l) {
    std::string out;
    google::protobuf::util::JsonPrintOptions o;
    o.preserve_proto_field_names = true;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(l, &out, o).ok());
    return out;
  }

  std::unique_ptr<testing::IntakeProcess> intake_;
  std::unique_ptr<leadflow::testing::KafkaTestClient> kafka_;
};

TEST_F(IntakeKafkaTest, FiftyParallelIdenticalSubmissionsOverGrpcAndHttpGiveOneLead) {
  constexpr int kParallel = 50;
  const iv1::LeadSubmission lead = Lead("same.person@parallel-corp.ru");
  const std::string json = ToJson(lead);
  std::atomic<bool> go{false};
  std::mutex mu;
  std::map<std::string, int> outcomes;  // "accepted" / "duplicate" / error text
  int transport_retries = 0;             // HTTP attempts that got no answer at all
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int i = 0; i < kParallel; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      std::string outcome, id;
      if (i % 2 == 0) {
        iv1::SubmitLeadResponse resp;
        grpc::Status st = SubmitGrpc(lead, &resp);
        if (!st.ok()) {
          outcome = "grpc error " + std::to_string(st.error_code()) + " " + st.error_message();
        } else if (!resp.lead_id().empty()) {
          outcome = "answered";
          id = resp.lead_id();
        } else {
          outcome = "grpc OK without a lead id";
        }
      } else {
        // A connection the loaded 2-core machine fails to set up (no HTTP
        // answer at all) is retried, as a form's webhook client would; the
        // retry still races the other 49 submissions, and any answer counts.
        auto post = [&] {
          httplib::Client client("127.0.0.1", intake_->http_port());
          client.set_read_timeout(20);
          return client.Post("/v1/leads", {{"x-api-key", kKey}}, json, "application/json");
        };
        auto res = post();
        for (int attempt = 1; attempt < 3 && !res; ++attempt) {
          {
            std::lock_guard<std::mutex> lock(mu);
            ++transport_retries;
          }
          std::fprintf(stderr, "http transport error: %s\n", httplib::to_string(res.error()).c_str());
          res = post();
        }
        if (!res) {
          outcome = "http transport error";
        } else {
          auto body = nlohmann::json::parse(res->body, nullptr, false);
          if (res->status == 202 && !body.value("lead_id", "").empty()) {
            outcome = "answered";
            id = body.value("lead_id", "");
          } else {
            outcome = "http " + std::to_string(res->status) + " " + res->body;
          }
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      ++outcomes[outcome];
      ids.insert(id);
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  if (transport_retries > 0) std::printf("HTTP attempts retried after a transport error: %d\n", transport_retries);
  // Every submission is answered alike, each with an id of its own: the
  // answer never tells a repeat from a new lead (docs/security.md, "No oracles").
  EXPECT_EQ(outcomes["answered"], kParallel);
  EXPECT_EQ(outcomes.size(), 1u) << outcomes.rbegin()->first << "\n" << intake_->Logs();
  ASSERT_EQ(ids.size(), static_cast<size_t>(kParallel));

  // Durable outputs: exactly one lead, whose id is one of the answered ones;
  // every repeat became an engagement event on it.
  const auto accepted = kafka_->ConsumeAll(topics::kLeadsAccepted, 1, seconds(20));
  ASSERT_EQ(accepted.size(), 1u);
  iv1::LeadAccepted original;
  ASSERT_TRUE(original.ParseFromString(accepted[0].value));
  ASSERT_EQ(ids.count(original.meta().lead_id()), 1u);
  ids = {original.meta().lead_id()};
  const auto events = kafka_->ConsumeAll(topics::kEngagementEvents, kParallel - 1, seconds(20));
  ASSERT_EQ(events.size(), static_cast<size_t>(kParallel - 1));
  for (const auto& m : events) {
    leadflow::engagement::v1::EngagementEvent e;
    ASSERT_TRUE(e.ParseFromString(m.value));
    EXPECT_EQ(e.type(), leadflow::engagement::v1::FORM_RESUBMITTED);
    EXPECT_EQ(e.lead_id(), *ids.begin());
    EXPECT_EQ(e.account_key(), "parallel-corp.ru");
    EXPECT_EQ(m.key, e.contact_id());
  }
  EXPECT_EQ(
      intake_->MetricValue(
          R"(leadflow_intake_leads_received_total{outcome="duplicate",source="web-form-main"})"),
      kParallel - 1);
}

TEST_F(IntakeKafkaTest, RegistryUpdateFlipsTheNextLeadToCustomerWithoutRestart) {
  // The two leads also carry a campaign over gRPC: one of the shipped
  // config's campaigns, and one it does not list (kept as "other").
  auto first = Lead("first@flip-corp.ru");
  first.set_campaign_id("webinar-roi-2026");
  iv1::SubmitLeadResponse before;
  ASSERT_TRUE(SubmitGrpc(first, &before).ok()) << intake_->Logs();

  leadflow::accounts::v1::AccountState account;
  account.set_account_key("flip-corp.ru");
  account.set_relationship(leadflow::common::v1::CUSTOMER);
  account.set_name("Flip Corp");
  account.add_domains("flip-corp.ru");
  account.set_owner_rep_id("rep-flip");
  account.set_owner_team("enterprise");
  ASSERT_TRUE(kafka_
                  ->ProduceSync(topics::kAccountsChanges, account.account_key(),
                                account.SerializeAsString())
                  .ok);
  // The registry view applies the change (the size gauge moves to 1).
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (intake_->MetricValue("leadflow_intake_registry_accounts") < 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(intake_->MetricValue("leadflow_intake_registry_accounts"), 1) << intake_->Logs();
  EXPECT_GE(intake_->MetricValue("leadflow_intake_registry_lag_seconds"), 0);

  auto second = Lead("second@flip-corp.ru");
  second.set_campaign_id("utm-landing-not-in-config");
  iv1::SubmitLeadResponse after;
  ASSERT_TRUE(SubmitGrpc(second, &after).ok());

  const auto accepted = kafka_->ConsumeAll(topics::kLeadsAccepted, 2, seconds(20));
  ASSERT_EQ(accepted.size(), 2u);
  std::map<std::string, iv1::LeadAccepted> by_id;
  for (const auto& m : accepted) {
    iv1::LeadAccepted a;
    ASSERT_TRUE(a.ParseFromString(m.value));
    EXPECT_EQ(m.key, "flip-corp.ru");
    by_id[a.meta().lead_id()] = a;
  }
  EXPECT_EQ(by_id[before.lead_id()].meta().relationship(), leadflow::common::v1::PROSPECT);
  EXPECT_TRUE(by_id[before.lead_id()].account_owner().empty());
  EXPECT_EQ(by_id[after.lead_id()].meta().relationship(), leadflow::common::v1::CUSTOMER);
  EXPECT_EQ(by_id[after.lead_id()].account_owner(), "rep-flip");
  // web-form-main is a marketing source in config/intake.json.
  EXPECT_EQ(by_id[before.lead_id()].meta().campaign_id(), "webinar-roi-2026");
  EXPECT_TRUE(by_id[before.lead_id()].meta().marketing_sourced());
  EXPECT_EQ(by_id[after.lead_id()].meta().campaign_id(), "other");
  EXPECT_TRUE(by_id[after.lead_id()].meta().marketing_sourced());
  EXPECT_EQ(
      intake_->MetricValue(R"(leadflow_intake_unknown_campaigns_total{source="web-form-main"})"),
      1);
}

TEST_F(IntakeKafkaTest, CoverageRebuildsFromAccountsContactsOverTheWholeWindow) {
  iv1::SubmitLeadResponse first;
  ASSERT_TRUE(SubmitGrpc(Lead("first@cov-corp.ru"), &first).ok()) << intake_->Logs();
  const auto contacts = kafka_->ConsumeAll(topics::kAccountsContacts, 1, seconds(20));
  ASSERT_EQ(contacts.size(), 1u) << "one accounts.contacts record per accepted lead";
  iv1::AccountContactSeen seen;
  ASSERT_TRUE(seen.ParseFromString(contacts[0].value));
  EXPECT_EQ(seen.account_key(), "cov-corp.ru");
  EXPECT_EQ(contacts[0].key, "cov-corp.ru|" + seen.contact_id());
  // A contact seen 30 days ago: only accounts.contacts still has it
  // (leads.accepted keeps 7 days, and never had it here).
  iv1::AccountContactSeen old;
  old.set_account_key("cov-corp.ru");
  old.set_contact_id("c-00000000000000aa");
  old.set_buyer_class(leadflow::common::v1::ECONOMIC);
  old.set_decision_role(leadflow::common::v1::DECISION_MAKER);
  old.set_relationship(leadflow::common::v1::PROSPECT);
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  *old.mutable_seen_at() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(now_ms - 30LL * 86400 * 1000);
  ASSERT_TRUE(kafka_
                  ->ProduceSync(topics::kAccountsContacts, "cov-corp.ru|c-00000000000000aa",
                                old.SerializeAsString())
                  .ok);
  // Redis loses everything; the view rebuilds (leads wait meanwhile).
  ASSERT_TRUE(intake_->redis().Command({"FLUSHALL"}).has_value());
  iv1::SubmitLeadResponse second;
  grpc::Status s;
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  do {
    second.Clear();
    s = SubmitGrpc(Lead("second@cov-corp.ru"), &second);
    if (s.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_TRUE(s.ok()) << s.error_message() << intake_->Logs();
  iv1::LeadAccepted lead;
  for (const auto& m : kafka_->ConsumeAll(topics::kLeadsAccepted, 2, seconds(20))) {
    iv1::LeadAccepted a;
    ASSERT_TRUE(a.ParseFromString(m.value));
    if (a.meta().lead_id() == second.lead_id()) lead = a;
  }
  ASSERT_EQ(lead.meta().lead_id(), second.lead_id());
  const auto& c = lead.company().coverage();
  EXPECT_TRUE(c.known());
  EXPECT_EQ(c.account_key(), "cov-corp.ru");
  EXPECT_EQ(c.known_contacts(), 3) << "the first lead's, the 30-day-old one and its own";
  EXPECT_TRUE(c.decision_maker_known());
}

TEST_F(IntakeKafkaTest, ThousandMixedTopicEventsGiveExactlyThousandOutputs) {
  constexpr int kEvents = 1000;
  const leadflow::testing::KafkaHeaders proto_header = {{"content-type", "application/x-protobuf"}};
  std::set<std::string> valid_emails;
  std::multiset<std::string> invalid_payloads;
  int valid = 0;
  for (int i = 0; i < kEvents; ++i) {
    std::string payload;
    leadflow::testing::KafkaHeaders headers;
    bool ok = true;
    auto lead = Lead("person" + std::to_string(i) + "@mixed-corp" + std::to_string(i % 7) + ".ru");
    switch (i % 10) {
      case 0:
        payload = R"({"source_id":"web-form-main","email": )";
        ok = false;
        break;  // truncated
      case 1:
        lead.set_consent(false);
        payload = ToJson(lead);
        ok = false;
        break;
      case 2:
        lead.set_inn("7707083894");
        payload = ToJson(lead);
        ok = false;
        break;  // checksum
      case 3:
        payload = std::string("\xff\xfe\x00garbage", 10);
        headers = proto_header;
        ok = false;
        break;
      case 4:
        payload = R"({"source_id":"web-form-main","email":"a@b.ru","consent":true,"x":1})";
        ok = false;
        break;
      case 5:  // protobuf, a known campaign
        lead.set_campaign_id("webinar-roi-2026");
        payload = lead.SerializeAsString();
        headers = proto_header;
        break;
      case 6:  // JSON, an unknown campaign from a source that is not marketing
        lead.set_source_id("partner-portal");
        lead.set_campaign_id("partner-day-2026");
        payload = ToJson(lead);
        break;
      default:
        payload = ToJson(lead);
        break;
    }
    if (ok) {
      ++valid;
      valid_emails.insert(lead.email());
    } else {
      invalid_payloads.insert(payload);
    }
    auto d =
        kafka_->ProduceSync(topics::kLeadsSubmitted, "k" + std::to_string(i), payload, headers);
    ASSERT_TRUE(d.ok) << d.error;
  }
  const int invalid = kEvents - valid;
  const auto accepted = kafka_->ConsumeAll(topics::kLeadsAccepted, valid, seconds(60));
  const auto rejected = kafka_->ConsumeAll(topics::kLeadsRejected, invalid, seconds(60));
  ASSERT_EQ(accepted.size(), static_cast<size_t>(valid)) << intake_->Logs();
  ASSERT_EQ(rejected.size(), static_cast<size_t>(invalid)) << intake_->Logs();
  // Nothing more trickles in afterwards (no double publishing).
  std::this_thread::sleep_for(seconds(1));
  EXPECT_EQ(
      kafka_->CountMessages(topics::kLeadsAccepted) + kafka_->CountMessages(topics::kLeadsRejected),
      kEvents);
  EXPECT_EQ(kafka_->CountMessages(topics::kEngagementEvents), 0);

  std::set<std::string> seen_emails;
  std::map<std::string, int> by_campaign;  // "<campaign>/<marketing_sourced>"
  for (const auto& m : accepted) {
    iv1::LeadAccepted a;
    ASSERT_TRUE(a.ParseFromString(m.value));
    seen_emails.insert(a.contact().email());
    ++by_campaign[a.meta().campaign_id() + "/" + (a.meta().marketing_sourced() ? "1" : "0")];
  }
  const std::map<std::string, int> want_campaigns = {
      {"webinar-roi-2026/1", 100}, {"other/0", 100}, {"/1", valid - 200}};
  EXPECT_EQ(by_campaign, want_campaigns);
  EXPECT_EQ(
      intake_->MetricValue(R"(leadflow_intake_unknown_campaigns_total{source="partner-portal"})"),
      100);
  EXPECT_EQ(seen_emails, valid_emails);
  std::multiset<std::string> originals;
  for (const auto& m : rejected) {
    leadflow::common::v1::LeadRejected r;
    ASSERT_TRUE(r.ParseFromString(m.value));
    EXPECT_EQ(r.stage(), leadflow::common::v1::INTAKE);
    EXPECT_NE(r.reason(), leadflow::common::v1::REASON_UNSPECIFIED);
    EXPECT_GE(r.errors_size(), 1);
    EXPECT_EQ(r.source_topic(), topics::kLeadsSubmitted);
    originals.insert(r.original());
  }
  EXPECT_EQ(originals, invalid_payloads);
}

}  // namespace
}  // namespace leadflow::intake
