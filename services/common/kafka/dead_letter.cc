#include "common/kafka/dead_letter.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "common/auth/sha256.h"
#include "common/kafka/topics.h"

namespace leadflow::kafka {

leadflow::common::v1::LeadRejected MakeRejection(const ConsumedMessage& source,
                                                 leadflow::common::v1::Stage stage,
                                                 leadflow::common::v1::ReasonCode reason,
                                                 const std::string& detail, int64_t now_ms) {
  leadflow::common::v1::LeadRejected r;
  r.set_stage(stage);
  r.set_reason(reason);
  r.set_detail(detail);
  const size_t kept = std::min(source.payload.size(), kMaxDeadLetterOriginalBytes);
  r.set_original(source.payload.data(), kept);
  r.set_original_size(source.payload.size());
  r.set_original_sha256(auth::Sha256Hex(source.payload));
  r.set_original_truncated(kept < source.payload.size());
  r.set_source_topic(source.topic);
  r.set_source_partition(source.partition);
  r.set_source_offset(source.offset);
  *r.mutable_rejected_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(now_ms);
  return r;
}

OutgoingMessage ToDeadLetterMessage(const leadflow::common::v1::LeadRejected& rejection) {
  OutgoingMessage out;
  out.topic = topics::kLeadsRejected;
  out.payload = rejection.SerializeAsString();
  out.headers.push_back({"reason", leadflow::common::v1::ReasonCode_Name(rejection.reason())});
  return out;
}

}  // namespace leadflow::kafka
