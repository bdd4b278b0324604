#include "routing/domain/consent.h"

#include <google/protobuf/util/time_util.h>

#include "common/privacy/erasure.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;

bool DisqualifyForWithdrawnConsent(int64_t withdrawn_at_ms,
                                   leadflow::scoring::v1::LeadScored* scored) {
  const auto& meta = scored->lead().meta();
  if (meta.relationship() == cv1::CUSTOMER) return false;
  const int64_t submitted =
      google::protobuf::util::TimeUtil::TimestampToMilliseconds(meta.first_submitted_at());
  if (!privacy::WithdrawalCovers(withdrawn_at_ms, submitted)) return false;
  if (scored->disqualified() && scored->disqualification_reasons_size() > 0 &&
      scored->disqualification_reasons(0) == cv1::CONSENT_MISSING) {
    return false;
  }
  scored->set_disqualified(true);
  auto* reasons = scored->mutable_disqualification_reasons();
  reasons->Add(cv1::CONSENT_MISSING);
  for (int i = reasons->size() - 1; i > 0; --i) reasons->SwapElements(i, i - 1);
  scored->set_lifecycle_stage(cv1::DISQUALIFIED);
  return true;
}

}  // namespace leadflow::routing
