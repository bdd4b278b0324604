// libFuzzer target for every external protobuf input. The first byte picks
// the schema, the rest is the record:
//   topics (binary protobuf, what each consumer parses): LeadSubmission
//   (leads.submitted with content-type protobuf), AccountState
//   (accounts.changes), LeadAccepted, EngagementEvent, LeadScored,
//   SalesFeedback, LeadAssigned, NurtureRequested, CustomerInbound, Touch,
//   ContactErasure (privacy.erasure; last, so older seeds keep their schema);
//   configuration (protobuf JSON through common/config's loader, unknown
//   fields rejected): IntakeConfig, ScoringModel, RoutingRules, NurtureConfig,
//   and Callers (callers.json; last, as ContactErasure).
// Invariants (abort = finding): a record that parses re-serialises and parses
// back to an equal message; a configuration that loads prints as JSON and that
// JSON loads back to an equal message.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/config/proto_loader.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/config/v1/callers.pb.h"
#include "leadflow/config/v1/intake_config.pb.h"
#include "leadflow/config/v1/nurture_config.pb.h"
#include "leadflow/config/v1/routing_rules.pb.h"
#include "leadflow/config/v1/scoring_model.pb.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/intake/v1/intake.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/privacy/v1/privacy.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"

namespace {

using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;

struct Schema {
  bool json;
  std::function<std::unique_ptr<Message>()> make;
};

template <typename T>
Schema Binary() {
  return {false, [] { return std::make_unique<T>(); }};
}
template <typename T>
Schema Json() {
  return {true, [] { return std::make_unique<T>(); }};
}

const std::vector<Schema>& Schemas() {
  static const std::vector<Schema> s = {
      Binary<leadflow::intake::v1::LeadSubmission>(),
      Binary<leadflow::accounts::v1::AccountState>(),
      Binary<leadflow::intake::v1::LeadAccepted>(),
      Binary<leadflow::engagement::v1::EngagementEvent>(),
      Binary<leadflow::scoring::v1::LeadScored>(),
      Binary<leadflow::routing::v1::SalesFeedback>(),
      Binary<leadflow::routing::v1::LeadAssigned>(),
      Binary<leadflow::routing::v1::NurtureRequested>(),
      Binary<leadflow::routing::v1::CustomerInbound>(),
      Binary<leadflow::nurture::v1::Touch>(),
      Json<leadflow::config::v1::IntakeConfig>(),
      Json<leadflow::config::v1::ScoringModel>(),
      Json<leadflow::config::v1::RoutingRules>(),
      Json<leadflow::config::v1::NurtureConfig>(),
      Binary<leadflow::privacy::v1::ContactErasure>(),
      Json<leadflow::config::v1::Callers>(),
  };
  return s;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 is expected, not news
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Schema& schema = Schemas()[data[0] % Schemas().size()];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto msg = schema.make();
  if (!schema.json) {
    if (!msg->ParseFromString(body)) return 0;
    std::string again;
    Check(msg->SerializeToString(&again), "a parsed record does not serialise");
    auto back = schema.make();
    Check(back->ParseFromString(again), "a re-serialised record does not parse");
    Check(MessageDifferencer::Equals(*msg, *back), "round trip changed the record");
    return 0;
  }
  if (!leadflow::config::ParseProtoJson(body, "fuzz", msg.get()).ok()) return 0;
  std::string printed;
  Check(google::protobuf::util::MessageToJsonString(*msg, &printed).ok(),
        "a loaded configuration does not print as JSON");
  auto back = schema.make();
  Check(leadflow::config::ParseProtoJson(printed, "fuzz", back.get()).ok(),
        "a printed configuration does not load again");
  Check(MessageDifferencer::Equals(*msg, *back), "JSON round trip changed the configuration");
  return 0;
}
