// The walking skeleton end to end: four service binaries, devkafka and
// redis-server; leads in through gRPC and the leads.submitted topic; outputs
// read back with a plain Kafka consumer and with kcat.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <thread>

#include "common/kafka/topics.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/intake/v1/intake.grpc.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "common/testing/kafka_test_client.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace cv1 = leadflow::common::v1;
namespace iv1 = leadflow::intake::v1;
namespace rv1 = leadflow::routing::v1;
using std::chrono::seconds;

// The test's own CRM records: VTB and MTS are existing customers.
void PublishRegistry(testing::KafkaTestClient& kafka) {
  leadflow::accounts::v1::AccountState vtb;
  vtb.set_account_key("7702070139");
  vtb.set_relationship(cv1::CUSTOMER);
  vtb.set_name("Банк ВТБ");
  vtb.add_domains("vtb.ru");
  vtb.set_inn("7702070139");
  vtb.set_owner_rep_id("ka-vorontsov");
  vtb.set_owner_team("key-accounts");
  leadflow::accounts::v1::AccountState mts = vtb;
  mts.set_account_key("7740000076");
  mts.set_name("МТС");
  mts.clear_domains();
  mts.add_domains("mts.ru");
  mts.set_inn("7740000076");
  mts.set_owner_rep_id("ka-belova");
  for (const auto& a : {vtb, mts}) {
    ASSERT_TRUE(kafka.ProduceSync(topics::kAccountsChanges, a.account_key(), a.SerializeAsString()).ok);
  }
}

iv1::SubmitLeadResponse SubmitGrpc(const std::string& address, const iv1::LeadSubmission& lead,
                                   grpc::Status* status) {
  auto stub = iv1::IntakeService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(15));
  ctx.AddMetadata("x-api-key", "demo-key-web");  // config/README.md demo key of web-form-main
  iv1::SubmitLeadRequest req;
  *req.mutable_lead() = lead;
  iv1::SubmitLeadResponse resp;
  *status = stub->SubmitLead(&ctx, req, &resp);
  return resp;
}

iv1::LeadSubmission EnterpriseProspect() {
  iv1::LeadSubmission l;
  l.set_source_id("web-form-main");
  l.set_email("o.smirnova@rostelecom.ru");
  l.set_full_name("Ольга Смирнова");
  l.set_job_title("ИТ-директор");
  l.set_company_name("Ростелеком");
  l.set_inn("7707049388");
  l.set_industry("telecom");
  l.set_headcount(130000);
  l.set_annual_revenue_rub(580'000'000'000);
  l.set_it_budget_rub(12'000'000'000);
  l.set_region("RU-MOW");
  l.set_expected_deal_rub(80'000'000);
  l.set_intent("request_proposal");
  l.set_consent(true);
  (*l.mutable_answers())["budget"] = "over_50m";
  (*l.mutable_answers())["need"] = "urgent";
  (*l.mutable_answers())["timeline"] = "1_3m";
  return l;
}

iv1::LeadSubmission CustomerLead() {
  iv1::LeadSubmission l;
  l.set_source_id("web-form-main");
  l.set_email("a.petrov@vtb.ru");
  l.set_job_title("Менеджер проектов");
  l.set_company_name("Банк ВТБ");
  l.set_region("RU-MOW");
  l.set_intent("download_whitepaper");
  l.set_consent(true);
  return l;
}

// A JSON form event for leads.submitted.
constexpr char kSmallProspectJson[] =
    R"({"source_id":"web-form-main","email":"info@romashka-soft.ru","company_name":"Ромашка Софт",)"
    R"("job_title":"специалист","industry":"it_services","headcount":40,)"
    R"("annual_revenue_rub":"300000000","region":"RU-SPE","intent":"download_whitepaper",)"
    R"("consent":true,"answers":{"budget":"none","need":"just_studying","timeline":"over_12m"}})";
// A customer (MTS, by domain) arriving through the topic with low intent: must
// still go to its account owner, never to nurture.
constexpr char kCustomerJson[] =
    R"({"source_id":"webinar-platform","email":"i.sidorova@mts.ru","company_name":"МТС",)"
    R"("job_title":"аналитик","region":"RU-MOW","intent":"download_whitepaper","consent":true})";
constexpr char kInvalidJson[] = R"({"source_id": "web-form-main", "email": )";

template <typename T>
std::vector<T> Decode(const std::vector<testing::KafkaMessage>& msgs) {
  std::vector<T> out;
  for (const auto& m : msgs) {
    T t;
    EXPECT_TRUE(t.ParseFromString(m.value)) << "undecodable record";
    out.push_back(t);
  }
  return out;
}

std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

TEST(PipelineE2E, LeadsFlowThroughAllFourServicesAndTheWallHolds) {
  std::string error;
  auto stack = Stack::Start(&error);
  ASSERT_TRUE(stack) << error;
  testing::KafkaTestClient kafka(stack->bootstrap());

  // The CRM registry reaches intake before the first lead.
  PublishRegistry(kafka);
  for (int i = 0; i < 100; ++i) {
    auto n = stack->redis().Command({"SCARD", "lf:{intake}:accts"});
    if (n && *n == "2") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(stack->redis().Command({"SCARD", "lf:{intake}:accts"}).value_or(""), "2");

  // Two leads through gRPC.
  grpc::Status st;
  auto prospect = SubmitGrpc(stack->grpc_address("intake"), EnterpriseProspect(), &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_FALSE(prospect.lead_id().empty());
  // The answers never say CUSTOMER or PROSPECT (docs/security.md, "No
  // oracles"); the outputs below show which each one was.
  auto customer = SubmitGrpc(stack->grpc_address("intake"), CustomerLead(), &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_FALSE(customer.lead_id().empty());

  // Three events through the topic, one of them not even JSON.
  for (const char* json : {kSmallProspectJson, kCustomerJson, kInvalidJson}) {
    ASSERT_TRUE(kafka.ProduceSync(topics::kLeadsSubmitted, "e2e", json,
                                  {{topics::kContentTypeHeader, "application/json"}})
                    .ok);
  }

  // The enterprise prospect is assigned to a sales rep.
  auto assigned = Decode<rv1::LeadAssigned>(kafka.ConsumeAll(topics::kLeadsAssigned, 1, seconds(30)));
  ASSERT_EQ(assigned.size(), 1u) << stack->Logs("routing");
  EXPECT_EQ(assigned[0].scored().lead().meta().lead_id(), prospect.lead_id());
  EXPECT_EQ(assigned[0].scored().segment(), cv1::ENTERPRISE);
  EXPECT_FALSE(assigned[0].decision().team().empty());
  EXPECT_FALSE(assigned[0].decision().path().empty()) << "every decision carries its path";

  // Both customers go to their account owners, whatever their intent.
  auto inbound = Decode<rv1::CustomerInbound>(kafka.ConsumeAll(topics::kAccountsInbound, 2, seconds(30)));
  ASSERT_EQ(inbound.size(), 2u);
  std::set<std::string> owners;
  for (const auto& c : inbound) {
    EXPECT_EQ(c.scored().lead().meta().relationship(), cv1::CUSTOMER);
    owners.insert(c.account_owner());
  }
  EXPECT_EQ(owners, (std::set<std::string>{"ka-vorontsov", "ka-belova"}));

  // The small prospect goes to nurture and gets its first prospect touch; no
  // customer ever appears on leads.nurture or gets a prospect touch (the two
  // customers get customer-track touches only).
  auto nurture = Decode<rv1::NurtureRequested>(kafka.ConsumeAll(topics::kLeadsNurture, 1, seconds(30)));
  ASSERT_EQ(nurture.size(), 1u);
  EXPECT_EQ(nurture[0].scored().lead().company().name(), "Ромашка Софт");
  for (const auto& n : nurture) EXPECT_EQ(n.scored().lead().meta().relationship(), cv1::PROSPECT);
  auto touches = Decode<leadflow::nurture::v1::Touch>(
      kafka.ConsumeAll(topics::kNurtureTouches, 3, seconds(30)));
  std::set<std::string> customer_leads;
  for (const auto& c : inbound) customer_leads.insert(c.scored().lead().meta().lead_id());
  int prospect_touches = 0;
  for (const auto& t : touches) {
    if (t.audience() == cv1::PROSPECT) {
      ++prospect_touches;
      EXPECT_EQ(t.lead_id(), nurture[0].scored().lead().meta().lead_id());
    } else {
      EXPECT_EQ(t.audience(), cv1::CUSTOMER);
      EXPECT_EQ(customer_leads.count(t.lead_id()), 1u) << t.lead_id();
    }
  }
  EXPECT_GE(prospect_touches, 1) << stack->Logs("nurture");

  // The invalid event is in leads.rejected with its reason and original bytes.
  auto rejected = Decode<leadflow::common::v1::LeadRejected>(kafka.ConsumeAll(topics::kLeadsRejected, 1, seconds(30)));
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].stage(), leadflow::common::v1::INTAKE);
  EXPECT_EQ(rejected[0].reason(), cv1::MALFORMED_PAYLOAD);
  EXPECT_EQ(rejected[0].original(), kInvalidJson);
  EXPECT_FALSE(rejected[0].detail().empty() && rejected[0].errors().empty());

  // Any Kafka client can read the outputs: kcat sees the same records and keys.
  if (RunCommand("command -v kcat").empty()) GTEST_SKIP() << "kcat is not installed";
  std::string keys = RunCommand("kcat -b " + stack->bootstrap() +
                                " -C -t accounts.inbound -o beginning -e -q -f '%k\\n' 2>&1");
  EXPECT_NE(keys.find("vtb.ru"), std::string::npos) << keys;  // no INN given: the corporate domain
  EXPECT_NE(keys.find("mts.ru"), std::string::npos) << keys;
  std::string dlq = RunCommand("kcat -b " + stack->bootstrap() +
                               " -C -t leads.rejected -o beginning -e -q -f '%s' 2>&1");
  EXPECT_NE(dlq.find(kInvalidJson), std::string::npos);
  std::string assigned_count = RunCommand("kcat -b " + stack->bootstrap() +
                                          " -C -t leads.assigned -o beginning -e -q -f 'x\\n' | wc -l");
  EXPECT_EQ(std::stoi(assigned_count), 1);

  // The wall held: nurture counted no violation.
  std::string metrics = HttpGet(stack->ports("nurture").admin, "/metrics");
  EXPECT_NE(metrics.find("leadflow_audience_violations_total 0"), std::string::npos) << metrics;

  // Every service exits 0 on SIGTERM.
  for (const auto& name : Stack::ServiceNames()) {
    EXPECT_EQ(stack->Terminate(name), 0) << "leadflow-" << name << "\n" << stack->Logs(name);
  }
}

TEST(PipelineE2E, EveryServiceIsHealthyAndExposesMetrics) {
  std::string error;
  auto stack = Stack::Start(&error);
  ASSERT_TRUE(stack) << error;
  for (const auto& name : Stack::ServiceNames()) {
    int status = 0;
    HttpGet(stack->ports(name).admin, "/healthz", &status);
    EXPECT_EQ(status, 200) << name;
    std::string ready;
    for (int i = 0; i < 50; ++i) {
      ready = HttpGet(stack->ports(name).admin, "/readyz", &status);
      if (status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(status, 200) << name << ": " << ready;
    std::string metrics = HttpGet(stack->ports(name).admin, "/metrics");
    EXPECT_NE(metrics.find("leadflow_" + name + "_build_info"), std::string::npos) << name;

    // The standard grpc.health.v1 service answers SERVING.
    auto health = grpc::health::v1::Health::NewStub(
        grpc::CreateChannel(stack->grpc_address(name), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(5));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok()) << name;
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING) << name;
  }
}

}  // namespace
}  // namespace leadflow::e2e
