// libFuzzer target for routing's external inputs. The first byte picks the
// input, the rest is its bytes:
//   0: a leads.scored record (LeadScored protobuf) -> Router::Decide
//   1: a sales.feedback record (SalesFeedback protobuf) -> ValidateFeedback
//   2: a routing_rules.json text -> RoutingPolicy::Create (+ callers)
// Invariants (abort = finding): a decision always has an outcome; a customer
// lead never goes to nurture or a sales team, a prospect never to an account
// owner; a rules file that loads has every team rule naming a known team.
#include <google/protobuf/stubs/logging.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/config/proto_loader.h"
#include "leadflow/config/v1/routing_rules.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"
#include "routing/domain/feedback.h"
#include "routing/domain/router.h"
#include "routing/domain/routing_policy.h"

namespace {

using namespace leadflow;
using namespace leadflow::routing;
namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

ZoneResolver AnyZone() {
  return [](const std::string& name) -> StatusOr<std::shared_ptr<const TimeZone>> {
    if (name.empty()) return Status::NotFound("empty zone");
    return TimeZone::Fixed(name, 3 * 3600);
  };
}

std::shared_ptr<const RoutingPolicy> ShippedPolicy() {
  static std::shared_ptr<const RoutingPolicy> policy = [] {
    config::v1::RoutingRules rules;
    Status s = config::LoadProtoFile(LEADFLOW_ROUTING_RULES, &rules);
    if (!s.ok()) {
      std::fprintf(stderr, "cannot load %s: %s\n", LEADFLOW_ROUTING_RULES, s.message().c_str());
      std::abort();
    }
    auto p = RoutingPolicy::Create(std::move(rules), AnyZone());
    if (!p.ok()) std::abort();
    return *p;
  }();
  return policy;
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
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      leadflow::scoring::v1::LeadScored scored;
      if (!scored.ParseFromString(body)) return 0;
      Router router(ShippedPolicy());
      RepStateView reps;
      const auto r = router.Decide(scored, reps, std::chrono::system_clock::time_point(
                                                     std::chrono::seconds(1768381200)));
      const auto outcome = r.decision.outcome();
      Check(outcome != rv1::ROUTING_OUTCOME_UNSPECIFIED, "decision without an outcome");
      const auto rel = scored.lead().meta().relationship();
      if (rel == cv1::CUSTOMER) {
        Check(outcome == rv1::CUSTOMER_INBOUND || outcome == rv1::DISQUALIFIED,
              "customer lead routed to prospect handling");
      }
      if (rel == cv1::PROSPECT) {
        Check(outcome != rv1::CUSTOMER_INBOUND, "prospect lead routed to an account owner");
      }
      break;
    }
    case 1: {
      rv1::SalesFeedback fb;
      if (!fb.ParseFromString(body)) return 0;
      (void)ValidateFeedback(fb);
      break;
    }
    case 2: {
      config::v1::RoutingRules rules;
      if (!config::ParseProtoJson(body, "fuzz", &rules).ok()) return 0;
      auto p = RoutingPolicy::Create(rules, AnyZone());
      if (!p.ok()) return 0;
      for (const auto& rule : (*p)->rules().team_rules()) {
        Check((*p)->FindTeam(rule.team_id()) != nullptr, "loaded rules name an unknown team");
      }
      break;
    }
  }
  return 0;
}
