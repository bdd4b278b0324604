#include "commands.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <unistd.h>

#include "common/config/proto_loader.h"
#include "common/kafka/consumer.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/intake/v1/intake.grpc.pb.h"
#include "cli_producer.h"
#include "outcome.h"

namespace leadflow::cli {

int PublishAccounts(const std::string& brokers, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "leadflow-cli: cannot open %s\n", path.c_str());
    return 1;
  }
  auto producer = MakeProducer(brokers);
  if (!producer) return 1;
  std::string line;
  int n = 0, line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    leadflow::accounts::v1::AccountState state;
    auto s = config::ParseProtoJson(line, path + ":" + std::to_string(line_no), &state);
    if (!s.ok()) {
      std::fprintf(stderr, "leadflow-cli: %s\n", s.message().c_str());
      return 1;
    }
    if (auto p = producer->Produce({topics::kAccountsChanges, state.account_key(),
                                    state.SerializeAsString(), {}});
        !p.ok()) {
      std::fprintf(stderr, "leadflow-cli: %s\n", p.message().c_str());
      return 1;
    }
    ++n;
  }
  return FlushOrFail(*producer, n, "account states to accounts.changes");
}

int SubmitFile(const std::string& brokers, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "leadflow-cli: cannot open %s\n", path.c_str());
    return 1;
  }
  auto producer = MakeProducer(brokers);
  if (!producer) return 1;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++n;
    if (auto p = producer->Produce({topics::kLeadsSubmitted, "sample-" + std::to_string(n), line,
                                    {{topics::kContentTypeHeader, "application/json"}}});
        !p.ok()) {
      std::fprintf(stderr, "leadflow-cli: %s\n", p.message().c_str());
      return 1;
    }
  }
  return FlushOrFail(*producer, n, "form events to leads.submitted");
}

int SubmitGrpc(const std::string& intake_address, const std::string& json,
               const std::string& api_key) {
  leadflow::intake::v1::SubmitLeadRequest req;
  if (auto s = config::ParseProtoJson(json, "lead", req.mutable_lead()); !s.ok()) {
    std::fprintf(stderr, "leadflow-cli: %s\n", s.message().c_str());
    return 2;
  }
  auto channel = grpc::CreateChannel(intake_address, grpc::InsecureChannelCredentials());
  auto stub = leadflow::intake::v1::IntakeService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!api_key.empty()) ctx.AddMetadata("x-api-key", api_key);
  leadflow::intake::v1::SubmitLeadResponse resp;
  grpc::Status st = stub->SubmitLead(&ctx, req, &resp);
  if (!st.ok()) {
    std::printf("gRPC SubmitLead: %s: %s\n", std::to_string(st.error_code()).c_str(),
                st.error_message().c_str());
    for (const auto& e : resp.errors()) {
      std::printf("  %s: %s\n", e.field_path().c_str(), e.message().c_str());
    }
    return 1;
  }
  // Where it went (and whether it was a customer) shows on the output topics
  // (`watch`); the answer itself never says (docs/security.md, "No oracles").
  std::printf("gRPC SubmitLead: accepted as %s\n", resp.lead_id().c_str());
  return 0;
}

int Watch(const std::string& brokers, int expect, int timeout_s) {
  kafka::ConsumerOptions o;
  o.brokers = brokers;
  o.group_id = "leadflow-cli-watch-" + std::to_string(getpid());
  o.topics = {topics::kLeadsAssigned, topics::kLeadsNurture, topics::kAccountsInbound,
              topics::kLeadsRejected, topics::kNurtureTouches};
  o.client_id = "leadflow-cli";
  auto consumer = kafka::MakeKafkaConsumer(o, nullptr);
  if (!consumer.ok()) {
    std::fprintf(stderr, "leadflow-cli: %s\n", consumer.status().message().c_str());
    return 1;
  }
  std::printf("%-10s %-17s %-9s %-24s %-11s %6s  %-28s %s\n", "LEAD", "OUTCOME", "REL", "COMPANY",
              "SEGMENT", "SCORE", "WHO", "WHY");
  std::map<std::string, int> by_outcome;
  int finals = 0, touches = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline && (expect == 0 || finals < expect)) {
    for (const auto& m : (*consumer)->PollBatch(100, std::chrono::milliseconds(200))) {
      auto row = DescribeOutput(m);
      if (!row) continue;
      std::string id = row->lead_id.empty() ? "-" : row->lead_id.substr(0, 10);
      // "-" where there is nothing to show: no company or score before
      // intake accepted the lead, no score where scoring did not run.
      const std::string score =
          row->score ? ScoreText(*row->score) : "-";
      std::printf("%-10s %-17s %-9s %s %-11s %6s  %s %s\n", id.c_str(), row->outcome.c_str(),
                  row->relationship.empty() ? "-" : row->relationship.c_str(),
                  FitColumn(row->company.empty() ? "-" : row->company, 24).c_str(),
                  row->segment.empty() ? "-" : row->segment.c_str(), score.c_str(),
                  FitColumn(row->who, 28).c_str(), row->why.c_str());
      if (row->final) {
        ++finals;
        ++by_outcome[row->outcome];
      } else {
        ++touches;
      }
    }
    std::fflush(stdout);
  }
  (*consumer)->Close();
  std::printf("\n%d final outcomes", finals);
  for (const auto& [k, v] : by_outcome) std::printf(", %s %d", k.c_str(), v);
  std::printf("; %d nurture touches\n", touches);
  if (expect > 0 && finals < expect) {
    std::fprintf(stderr, "leadflow-cli watch: saw %d of %d expected outcomes within %d s\n", finals,
                 expect, timeout_s);
    return 1;
  }
  return 0;
}

}  // namespace leadflow::cli
