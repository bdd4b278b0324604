// Routing end to end over the real leadflow-routing binary (with devkafka and
// redis-server): scored leads in through leads.scored; WatchAssignments
// streams current and new assignments; accept, reject and close over gRPC;
// outputs read back from leads.assigned, leads.nurture and sales.feedback.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "common/kafka/topics.h"
#include "leadflow/routing/v1/routing.grpc.pb.h"
#include "common/testing/child_process.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/kafka_test_client.h"
#include "common/testing/redis_server.h"
#include "common/testing/service_process.h"
#include "common/testing/temp_dir.h"
#include "scored_leads.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The shipped demo API key of the key-accounts sales tool (config/README.md).
constexpr char kKeyAccountsKey[] = "demo-key-key-accounts";

// Reads a WatchAssignments stream on its own thread.
class Watcher {
 public:
  Watcher(rv1::RoutingService::Stub& stub, rv1::WatchAssignmentsRequest req,
          const std::string& api_key = kKeyAccountsKey) {
    ctx_.AddMetadata("x-api-key", api_key);
    thread_ = std::thread([this, &stub, req] {
      auto reader = stub.WatchAssignments(&ctx_, req);
      rv1::LeadAssigned a;
      while (reader->Read(&a)) {
        std::lock_guard lock(mu_);
        got_.push_back(a);
        cv_.notify_all();
      }
      reader->Finish();
    });
  }
  ~Watcher() {
    ctx_.TryCancel();
    thread_.join();
  }
  // Waits until at least n events arrived; returns what arrived.
  std::vector<rv1::LeadAssigned> WaitFor(size_t n, milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return got_.size() >= n; });
    return {got_.begin(), got_.end()};
  }
  // Waits until an event satisfies `pred`; returns it (nullopt on timeout).
  template <typename Pred>
  std::optional<rv1::LeadAssigned> WaitUntil(Pred pred, milliseconds timeout) {
    std::unique_lock lock(mu_);
    std::optional<rv1::LeadAssigned> found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& a : got_) {
        if (pred(a)) {
          found = a;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  // The event reporting `state` of `lead_id`.
  std::optional<rv1::LeadAssigned> WaitForChange(const std::string& lead_id, rv1::SalesState state,
                                                 milliseconds timeout) {
    return WaitUntil(
        [&](const rv1::LeadAssigned& a) {
          return a.change().lead_id() == lead_id && a.change().state() == state;
        },
        timeout);
  }

 private:
  grpc::ClientContext ctx_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<rv1::LeadAssigned> got_;
  std::thread thread_;
};

class RoutingE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dir_ = testing::TempDir::Create("routing-e2e", &error);
    ASSERT_NE(dir_, nullptr) << error;
    redis_ = testing::RedisServer::Start({}, &error);
    ASSERT_NE(redis_, nullptr) << error;
    testing::DevKafkaOptions kopts;
    kopts.quiet = true;
    kafka_ = testing::DevKafka::Start(kopts, &error);
    ASSERT_NE(kafka_, nullptr) << error;
    auto a = StartRouting("routing", kafka_->bootstrap());
    ASSERT_TRUE(a.process) << error_;
    routing_ = std::move(a.process);
    grpc_port_ = a.grpc_port;
    admin_port_ = a.admin_port;
    stub_ = rv1::RoutingService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(grpc_port_), grpc::InsecureChannelCredentials()));
    client_ = std::make_unique<testing::KafkaTestClient>(kafka_->bootstrap());
  }

  struct Started {
    std::unique_ptr<testing::ChildProcess> process;
    int grpc_port = 0;
    int admin_port = 0;
  };
  // Starts leadflow-routing on the shipped config against `bootstrap` and the
  // test's Redis; on failure returns no process and sets error_.
  Started StartRouting(const std::string& name, const std::string& bootstrap) {
    Started out;
    testing::ServiceProcessOptions o;
    o.service = "routing";
    o.kafka_bootstrap = bootstrap;
    o.redis_url = redis_->url();
    o.work_dir = dir_->path();
    testing::ChildProcessOptions co = testing::MakeServiceProcessOptions(o);
    co.env["LEADFLOW_READY_FILE"] = dir_->File(name + ".ready");
    co.log_name = name;
    auto proc = testing::ChildProcess::Start(co, &error_);
    if (!proc) return out;
    testing::ServicePorts ports;
    if (!testing::WaitForServiceReady(co, proc.get(), &ports, &error_)) return out;
    out.grpc_port = ports.grpc_port;
    out.admin_port = ports.admin_port;
    out.process = std::move(proc);
    return out;
  }

  void Publish(const leadflow::scoring::v1::LeadScored& s) {
    auto r = client_->ProduceSync(topics::kLeadsScored, s.lead().meta().account_key(),
                                  s.SerializeAsString());
    ASSERT_TRUE(r.ok) << r.error;
  }

  template <typename Req>
  grpc::Status Call(grpc::Status (rv1::RoutingService::Stub::*rpc)(grpc::ClientContext*, const Req&,
                                                                   rv1::FeedbackAck*),
                    const Req& req, rv1::FeedbackAck* ack,
                    const std::string& api_key = kKeyAccountsKey) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    if (!api_key.empty()) ctx.AddMetadata("x-api-key", api_key);
    return (stub_.get()->*rpc)(&ctx, req, ack);
  }

  template <typename T>
  std::vector<T> Read(const std::string& topic, size_t n) {
    std::vector<T> out;
    for (const auto& m : client_->ConsumeAll(topic, n, seconds(15))) {
      T t;
      EXPECT_TRUE(t.ParseFromString(m.value));
      out.push_back(t);
    }
    return out;
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<testing::DevKafka> kafka_;
  std::unique_ptr<testing::ChildProcess> routing_;
  std::unique_ptr<rv1::RoutingService::Stub> stub_;
  std::unique_ptr<testing::KafkaTestClient> client_;
  int grpc_port_ = 0;
  int admin_port_ = 0;
  std::string error_;
};

TEST_F(RoutingE2E, WatchStreamsAssignmentsAndFeedbackWorksOverGrpc) {
  rv1::WatchAssignmentsRequest team_watch;
  team_watch.set_team("key-accounts");
  Watcher watcher(*stub_, team_watch);
  std::this_thread::sleep_for(milliseconds(300));  // the stream is open before leads arrive

  for (const char* id : {"e2e-1", "e2e-2", "e2e-3"}) Publish(EnterpriseMql(id));
  auto streamed = watcher.WaitFor(3, seconds(30));
  ASSERT_EQ(streamed.size(), 3u) << routing_->ReadStderr();
  std::map<std::string, std::string> rep_of;
  for (const auto& a : streamed) {
    EXPECT_EQ(a.decision().outcome(), rv1::ASSIGNED);
    EXPECT_EQ(a.decision().team(), "key-accounts");
    EXPECT_GT(a.sla_due_at().seconds(), 0);
    EXPECT_GT(a.decision().path_size(), 3);  // the audit path travels with the event
    rep_of[a.scored().lead().meta().lead_id()] = a.decision().rep_id();
  }
  ASSERT_EQ(rep_of.size(), 3u);
  // leads.assigned carries the same assignments for Kafka readers.
  for (const auto& a : Read<rv1::LeadAssigned>(topics::kLeadsAssigned, 3)) {
    EXPECT_EQ(rep_of.at(a.scored().lead().meta().lead_id()), a.decision().rep_id());
  }

  // A new watcher for one rep first gets that rep's current assignments: all
  // of them (weighted round robin may give that rep more than one of the
  // three, in any order) and only its own.
  rv1::WatchAssignmentsRequest rep_watch;
  rep_watch.set_rep_id(rep_of["e2e-3"]);
  {
    std::set<std::string> expected;
    for (const auto& [lead, rep] : rep_of) {
      if (rep == rep_of["e2e-3"]) expected.insert(lead);
    }
    Watcher current(*stub_, rep_watch);
    auto got = current.WaitFor(expected.size(), seconds(10));
    std::set<std::string> current_leads;
    for (const auto& a : got) {
      EXPECT_EQ(a.decision().rep_id(), rep_of["e2e-3"]);
      current_leads.insert(a.scored().lead().meta().lead_id());
    }
    EXPECT_EQ(current_leads, expected);
  }

  rv1::FeedbackAck ack;
  // Accept then close (won).
  rv1::AcceptLeadRequest accept;
  accept.set_lead_id("e2e-1");
  accept.set_rep_id(rep_of["e2e-1"]);
  auto st = Call(&rv1::RoutingService::Stub::AcceptLead, accept, &ack);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(ack.status(), "accepted");
  rv1::CloseLeadRequest close;
  close.set_lead_id("e2e-1");
  close.set_rep_id(rep_of["e2e-1"]);
  close.set_outcome(rv1::WON);
  st = Call(&rv1::RoutingService::Stub::CloseLead, close, &ack);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(ack.status(), "closed: WON");

  // Reject without a reason is refused; with a protected reason the
  // ENTERPRISE lead goes back to nurture with that reason.
  rv1::RejectLeadRequest reject;
  reject.set_lead_id("e2e-2");
  reject.set_rep_id(rep_of["e2e-2"]);
  st = Call(&rv1::RoutingService::Stub::RejectLead, reject, &ack);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  reject.set_reason(cv1::TAILORED_FOR_COMPETITOR);
  st = Call(&rv1::RoutingService::Stub::RejectLead, reject, &ack);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(ack.status(), "returned to nurture: TAILORED_FOR_COMPETITOR");
  auto nurture = Read<rv1::NurtureRequested>(topics::kLeadsNurture, 1);
  ASSERT_EQ(nurture.size(), 1u);
  EXPECT_EQ(nurture[0].scored().lead().meta().lead_id(), "e2e-2");
  EXPECT_EQ(nurture[0].reason(), cv1::TAILORED_FOR_COMPETITOR);
  EXPECT_EQ(nurture[0].decision().outcome(), rv1::NURTURE);

  // Someone else's lead cannot be closed.
  close.set_lead_id("e2e-3");
  for (const char* other : {"ka-vorontsov", "ka-belova", "ka-kuznetsov"}) {
    if (other != rep_of["e2e-3"]) close.set_rep_id(other);  // same team, not the owner
  }
  st = Call(&rv1::RoutingService::Stub::CloseLead, close, &ack);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // The handoff feedback is on sales.feedback for nurture and other tools.
  auto feedback = Read<rv1::SalesFeedback>(topics::kSalesFeedback, 3);
  ASSERT_EQ(feedback.size(), 3u);
  std::multiset<int> kinds;
  for (const auto& f : feedback) kinds.insert(f.kind());
  EXPECT_EQ(kinds, (std::multiset<int>{rv1::ACCEPT, rv1::REJECT, rv1::CLOSE}));

  // New assignments keep streaming after feedback (which the stream now
  // reports too: accept, close and rejection, each as a change of its lead).
  Publish(EnterpriseMql("e2e-4"));
  auto fourth = watcher.WaitForChange("e2e-4", rv1::SALES_ASSIGNED, seconds(20));
  ASSERT_TRUE(fourth.has_value());
  EXPECT_EQ(fourth->scored().lead().meta().lead_id(), "e2e-4");
  EXPECT_TRUE(watcher.WaitForChange("e2e-1", rv1::SALES_CLOSED, seconds(5)).has_value());
  EXPECT_TRUE(watcher.WaitForChange("e2e-2", rv1::SALES_REJECTED, seconds(5)).has_value());

  // Metrics: decisions, capacity and feedback are visible.
  const std::string metrics = HttpGet(admin_port_, "/metrics");
  EXPECT_NE(metrics.find("leadflow_routing_decisions_total{"), std::string::npos);
  EXPECT_NE(metrics.find("leadflow_routing_rep_capacity_leads{"), std::string::npos);
  EXPECT_NE(metrics.find("leadflow_routing_rep_open_leads{"), std::string::npos);
  EXPECT_NE(metrics.find("leadflow_routing_speed_to_lead_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.find("leadflow_routing_feedback_total{"), std::string::npos);

  EXPECT_EQ(routing_->Terminate(seconds(20)), 0) << routing_->ReadStderr();
}

// Issue 17.3, coded loss reasons, with the shipped config (require_loss_reason
// true, config/README.md): a LOST close without a loss reason is refused over
// gRPC (INVALID_ARGUMENT) and on the team's sales.feedback topic (leads.rejected,
// MISSING_FIELD, with the record's bytes); the lead stays accepted and nothing
// is counted UNSPECIFIED. With a code it closes and the code is counted.
TEST_F(RoutingE2E, TheShippedConfigRefusesALostCloseWithoutALossReason) {
  rv1::WatchAssignmentsRequest team_watch;
  team_watch.set_team("key-accounts");
  Watcher watcher(*stub_, team_watch);
  std::this_thread::sleep_for(milliseconds(300));
  Publish(EnterpriseMql("lr-1"));
  auto assigned = watcher.WaitForChange("lr-1", rv1::SALES_ASSIGNED, seconds(30));
  ASSERT_TRUE(assigned.has_value()) << routing_->ReadStderr();
  const std::string rep = assigned->decision().rep_id();
  rv1::FeedbackAck ack;
  rv1::AcceptLeadRequest accept;
  accept.set_lead_id("lr-1");
  accept.set_rep_id(rep);
  ASSERT_TRUE(Call(&rv1::RoutingService::Stub::AcceptLead, accept, &ack).ok());

  rv1::CloseLeadRequest close;
  close.set_lead_id("lr-1");
  close.set_rep_id(rep);
  close.set_outcome(rv1::LOST);
  auto st = Call(&rv1::RoutingService::Stub::CloseLead, close, &ack);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << ack.status();
  EXPECT_EQ(st.error_message().rfind("loss_reason:", 0), 0u) << st.error_message();

  // The same close from the team's sales tool on its feedback topic.
  rv1::SalesFeedback by_topic;
  by_topic.set_lead_id("lr-1");
  by_topic.set_rep_id(rep);
  by_topic.set_kind(rv1::CLOSE);
  by_topic.set_outcome(rv1::LOST);
  const std::string bytes = by_topic.SerializeAsString();
  const std::string team_topic = std::string(topics::kSalesFeedbackTeamPrefix) + "key-accounts";
  auto produced = client_->ProduceSync(team_topic, "lr-1", bytes);
  ASSERT_TRUE(produced.ok) << produced.error;
  auto rejected = Read<leadflow::common::v1::LeadRejected>(topics::kLeadsRejected, 1);
  ASSERT_EQ(rejected.size(), 1u) << routing_->ReadStderr();
  EXPECT_EQ(rejected[0].reason(), cv1::MISSING_FIELD);
  EXPECT_EQ(rejected[0].source_topic(), team_topic);
  EXPECT_EQ(rejected[0].original(), bytes);
  EXPECT_EQ(rejected[0].detail().find("loss_reason"), 0u) << rejected[0].detail();

  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
  ctx.AddMetadata("x-api-key", kKeyAccountsKey);
  rv1::GetLeadRequest get;
  get.set_lead_id("lr-1");
  rv1::LeadView view;
  ASSERT_TRUE(stub_->GetLead(&ctx, get, &view).ok());
  EXPECT_EQ(view.state(), rv1::SALES_ACCEPTED) << "a LOST without a code must not close the lead";
  EXPECT_EQ(HttpGet(admin_port_, "/metrics").find("reason=\"UNSPECIFIED\""), std::string::npos);

  close.set_loss_reason(cv1::LOST_NO_BUDGET);
  st = Call(&rv1::RoutingService::Stub::CloseLead, close, &ack);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(ack.status(), "closed: LOST (LOST_NO_BUDGET)");
  const std::string lost_series =
      R"(leadflow_routing_deals_lost_total{reason="LOST_NO_BUDGET",team="key-accounts"} 1)";
  EXPECT_NE(HttpGet(admin_port_, "/metrics").find(lost_series), std::string::npos);
}

// Issue 17, "A client can't tell what happened to a lead": the stream reports
// every change of the caller's leads, tied by lead id and ordered by version;
// acks are typed; a second, different answer is refused; GetLead and
// ListOpenLeads answer only the caller's teams; a discarded lead is on
// leads.discarded.
TEST_F(RoutingE2E, TheStreamReportsEveryChangeAndLeadsCanBeAskedFor) {
  rv1::WatchAssignmentsRequest team_watch;
  team_watch.set_team("key-accounts");
  Watcher watcher(*stub_, team_watch);
  std::this_thread::sleep_for(milliseconds(300));
  for (const char* id : {"sm-1", "sm-2", "sm-3"}) Publish(EnterpriseMql(id));
  std::map<std::string, rv1::LeadAssigned> assigned;
  for (const char* id : {"sm-1", "sm-2", "sm-3"}) {
    auto a = watcher.WaitForChange(id, rv1::SALES_ASSIGNED, seconds(30));
    ASSERT_TRUE(a.has_value()) << id << routing_->ReadStderr();
    EXPECT_GT(a->change().version(), 0);
    EXPECT_EQ(a->change().rep_id(), a->decision().rep_id());
    assigned[id] = *a;
  }
  auto rep = [&](const std::string& id) { return assigned[id].decision().rep_id(); };
  rv1::WatchAssignmentsRequest rep_watch;
  rep_watch.set_rep_id(rep("sm-1"));
  Watcher rep_watcher(*stub_, rep_watch);
  ASSERT_TRUE(rep_watcher.WaitForChange("sm-1", rv1::SALES_ASSIGNED, seconds(10)).has_value());

  rv1::FeedbackAck ack;
  rv1::AcceptLeadRequest accept;
  accept.set_lead_id("sm-1");
  accept.set_rep_id(rep("sm-1"));
  ASSERT_TRUE(Call(&rv1::RoutingService::Stub::AcceptLead, accept, &ack).ok());
  EXPECT_EQ(ack.outcome(), rv1::FEEDBACK_ACCEPTED);
  EXPECT_EQ(ack.state(), rv1::SALES_ACCEPTED);
  auto accepted = watcher.WaitForChange("sm-1", rv1::SALES_ACCEPTED, seconds(10));
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->change().version(), ack.version());
  EXPECT_GT(accepted->change().version(), assigned["sm-1"].change().version());
  EXPECT_TRUE(rep_watcher.WaitForChange("sm-1", rv1::SALES_ACCEPTED, seconds(10)).has_value());

  rv1::CloseLeadRequest close;
  close.set_lead_id("sm-1");
  close.set_rep_id(rep("sm-1"));
  close.set_outcome(rv1::WON);
  ASSERT_TRUE(Call(&rv1::RoutingService::Stub::CloseLead, close, &ack).ok());
  EXPECT_EQ(ack.outcome(), rv1::FEEDBACK_CLOSED);
  close.set_outcome(rv1::LOST);
  close.set_loss_reason(cv1::LOST_PRICE);  // a complete LOST: refused as a contradiction
  auto st = Call(&rv1::RoutingService::Stub::CloseLead, close, &ack);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("CLOSED (WON)"), std::string::npos) << st.error_message();
  auto closed = rep_watcher.WaitForChange("sm-1", rv1::SALES_CLOSED, seconds(10));
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->change().deal_outcome(), rv1::WON);
  EXPECT_FALSE(closed->scored().lead().has_contact()) << "a closed lead's event carries ids only";

  // Rejected for a reason that does not return it to nurture: discarded, visibly.
  rv1::RejectLeadRequest reject;
  reject.set_lead_id("sm-2");
  reject.set_rep_id(rep("sm-2"));
  reject.set_reason(cv1::QUIET_HOURS);
  EXPECT_EQ(Call(&rv1::RoutingService::Stub::RejectLead, reject, &ack).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  reject.set_reason(cv1::NOT_A_FIT);
  ASSERT_TRUE(Call(&rv1::RoutingService::Stub::RejectLead, reject, &ack).ok());
  EXPECT_EQ(ack.outcome(), rv1::FEEDBACK_DISCARDED);
  reject.set_reason(cv1::BUDGET_TOO_SMALL);
  EXPECT_EQ(Call(&rv1::RoutingService::Stub::RejectLead, reject, &ack).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  auto rejected = watcher.WaitForChange("sm-2", rv1::SALES_REJECTED, seconds(10));
  ASSERT_TRUE(rejected.has_value());
  EXPECT_EQ(rejected->change().reject_reason(), cv1::NOT_A_FIT);
  EXPECT_EQ(rejected->change().feedback(), rv1::FEEDBACK_DISCARDED);
  auto discarded = Read<rv1::LeadDiscarded>(topics::kLeadsDiscarded, 1);
  ASSERT_EQ(discarded.size(), 1u);
  EXPECT_EQ(discarded[0].lead_id(), "sm-2");
  EXPECT_EQ(discarded[0].reason(), cv1::NOT_A_FIT);
  EXPECT_EQ(client_->CountMessages(topics::kLeadsNurture, seconds(3)), 0)
      << "the second rejection must not send the lead to nurture";

  // Accepted through the team's feedback topic: the stream finds it in Redis.
  rv1::SalesFeedback by_topic;
  by_topic.set_lead_id("sm-3");
  by_topic.set_rep_id(rep("sm-3"));
  by_topic.set_kind(rv1::ACCEPT);
  auto produced =
      client_->ProduceSync(std::string(topics::kSalesFeedbackTeamPrefix) + "key-accounts", "sm-3",
                           by_topic.SerializeAsString());
  ASSERT_TRUE(produced.ok) << produced.error;
  ASSERT_TRUE(watcher.WaitForChange("sm-3", rv1::SALES_ACCEPTED, seconds(20)).has_value());

  // GetLead and ListOpenLeads: the caller's team only, and no oracle.
  auto get = [&](const std::string& id, const std::string& key, rv1::LeadView* view) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    if (!key.empty()) ctx.AddMetadata("x-api-key", key);
    rv1::GetLeadRequest r;
    r.set_lead_id(id);
    return stub_->GetLead(&ctx, r, view);
  };
  rv1::LeadView view;
  ASSERT_TRUE(get("sm-1", kKeyAccountsKey, &view).ok());
  EXPECT_EQ(view.state(), rv1::SALES_CLOSED);
  EXPECT_EQ(view.deal_outcome(), rv1::WON);
  ASSERT_TRUE(get("sm-3", kKeyAccountsKey, &view).ok());
  EXPECT_EQ(view.state(), rv1::SALES_ACCEPTED);
  EXPECT_EQ(get("sm-1", "", &view).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const grpc::Status other_team = get("sm-1", "demo-key-mid-market", &view);
  const grpc::Status unknown = get("sm-nope", "demo-key-mid-market", &view);
  EXPECT_EQ(other_team.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(other_team.error_message(), "lead sm-1 is not one of the caller's teams' leads");
  EXPECT_EQ(unknown.error_message(), "lead sm-nope is not one of the caller's teams' leads");

  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
  ctx.AddMetadata("x-api-key", kKeyAccountsKey);
  rv1::ListOpenLeadsRequest list;
  list.set_team("key-accounts");
  rv1::ListOpenLeadsResponse open;
  ASSERT_TRUE(stub_->ListOpenLeads(&ctx, list, &open).ok());
  std::map<std::string, rv1::SalesState> open_states;
  for (const auto& l : open.leads()) open_states[l.lead_id()] = l.state();
  EXPECT_EQ(open_states, (std::map<std::string, rv1::SalesState>{{"sm-3", rv1::SALES_ACCEPTED}}));
  grpc::ClientContext other_ctx;
  other_ctx.AddMetadata("x-api-key", "demo-key-mid-market");
  EXPECT_EQ(stub_->ListOpenLeads(&other_ctx, list, &open).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(routing_->Terminate(seconds(20)), 0) << routing_->ReadStderr();
}

// A replica that decided nothing itself (its Kafka is another, empty cluster;
// only Redis is shared) still streams the assignments the other one makes.
TEST_F(RoutingE2E, WatchOnAnotherReplicaStreamsAssignmentsItDidNotMake) {
  std::string error;
  testing::DevKafkaOptions kopts;
  kopts.quiet = true;
  auto other_kafka = testing::DevKafka::Start(kopts, &error);
  ASSERT_NE(other_kafka, nullptr) << error;
  auto b = StartRouting("routing-b", other_kafka->bootstrap());
  ASSERT_TRUE(b.process) << error_;
  auto stub_b = rv1::RoutingService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(b.grpc_port), grpc::InsecureChannelCredentials()));

  Publish(EnterpriseMql("x-1"));  // decided by the first replica
  rv1::WatchAssignmentsRequest team_watch;
  team_watch.set_team("key-accounts");
  {
    Watcher current(*stub_b, team_watch);
    auto got = current.WaitFor(1, seconds(30));
    ASSERT_EQ(got.size(), 1u) << routing_->ReadStderr();
    EXPECT_EQ(got[0].scored().lead().meta().lead_id(), "x-1");
  }
  Watcher watcher(*stub_b, team_watch);
  ASSERT_EQ(watcher.WaitFor(1, seconds(10)).size(), 1u);  // current: x-1
  Publish(EnterpriseMql("x-2"));
  auto got = watcher.WaitFor(2, seconds(30));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].scored().lead().meta().lead_id(), "x-2");
  EXPECT_EQ(got[1].decision().outcome(), rv1::ASSIGNED);
  EXPECT_EQ(b.process->Terminate(seconds(20)), 0);
}

// Unauthenticated calls are refused, and a caller acts only on its own team:
// nothing is applied or published for a refused call.
TEST_F(RoutingE2E, CallsWithoutAValidKeyOrOutsideTheCallersTeamAreRefused) {
  Publish(EnterpriseMql("auth-1"));
  Watcher team_watch(*stub_, [] {
    rv1::WatchAssignmentsRequest r;
    r.set_team("key-accounts");
    return r;
  }());
  auto got = team_watch.WaitFor(1, seconds(15));
  ASSERT_EQ(got.size(), 1u);
  const std::string rep = got[0].decision().rep_id();

  rv1::AcceptLeadRequest accept;
  accept.set_lead_id("auth-1");
  accept.set_rep_id(rep);
  rv1::FeedbackAck ack;
  EXPECT_EQ(Call(&rv1::RoutingService::Stub::AcceptLead, accept, &ack, "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call(&rv1::RoutingService::Stub::AcceptLead, accept, &ack, "guessed-key").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // A real key of another team's tool: authenticated, but not its team.
  EXPECT_EQ(Call(&rv1::RoutingService::Stub::AcceptLead, accept, &ack, "demo-key-mid-market")
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    ctx.AddMetadata("x-api-key", "demo-key-mid-market");
    rv1::WatchAssignmentsRequest r;
    r.set_team("key-accounts");
    auto reader = stub_->WatchAssignments(&ctx, r);
    rv1::LeadAssigned a;
    EXPECT_FALSE(reader->Read(&a));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    rv1::SetRepAvailabilityRequest r;
    r.set_rep_id(rep);
    r.set_availability(rv1::VACATION);
    rv1::SetRepAvailabilityResponse resp;
    EXPECT_EQ(stub_->SetRepAvailability(&ctx, r, &resp).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(client_->CountMessages(topics::kSalesFeedback, seconds(10)), 0)
      << "a refused call must not publish feedback";
  // The right key works.
  EXPECT_TRUE(Call(&rv1::RoutingService::Stub::AcceptLead, accept, &ack).ok());
  EXPECT_EQ(client_->CountMessages(topics::kSalesFeedback, seconds(10)), 1);
}

}  // namespace
}  // namespace leadflow::e2e
