#include "nurture/domain/customer_response.h"

namespace leadflow::nurture {

namespace ev1 = leadflow::engagement::v1;
namespace nv1 = leadflow::nurture::v1;

nv1::ResponseKind ResponseKindOf(const NurturePolicy& policy, ev1::EngagementType type,
                                 const std::string& content_id) {
  if (type == ev1::MEETING_BOOKED) return nv1::MEETING;
  if (type != ev1::REPLIED) return nv1::RESPONSE_KIND_UNSPECIFIED;
  if (!content_id.empty()) {
    for (const auto& track : policy.config().tracks()) {
      for (const auto& step : track.steps()) {
        if (step.content_id() == content_id &&
            step.channel() == leadflow::common::v1::QUESTIONNAIRE) {
          return nv1::QUESTIONNAIRE_ANSWER;
        }
      }
    }
  }
  return nv1::REPLY;
}

}  // namespace leadflow::nurture
