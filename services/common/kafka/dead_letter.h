// Building leads.rejected records (LeadRejected) from a consumed message:
// the reason, the field errors and the original bytes, so nothing is lost.
#pragma once

#include <string>

#include "common/kafka/message.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::kafka {

// A LeadRejected for `source`, stamped with its topic/partition/offset and
// original bytes. `detail` must not contain PII.
leadflow::intake::v1::LeadRejected MakeRejection(const ConsumedMessage& source,
                                                 leadflow::intake::v1::Stage stage,
                                                 leadflow::common::v1::ReasonCode reason,
                                                 const std::string& detail, int64_t now_ms);

// The outgoing leads.rejected message carrying `rejection` (no key).
OutgoingMessage ToDeadLetterMessage(const leadflow::intake::v1::LeadRejected& rejection);

}  // namespace leadflow::kafka
