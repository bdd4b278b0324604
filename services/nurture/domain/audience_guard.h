// The wall at send time (docs/architecture.md, "The wall"): a touch of a track goes out only if the
// contact's CURRENT relationship equals the track's audience. Anything else -
// a prospect who became a customer mid-track, an unknown relationship, a
// track without an audience - is blocked and must be counted as a violation
// (leadflow_audience_violations_total). Pure and thread-safe.
#pragma once

#include <string>

#include "leadflow/common/v1/domain.pb.h"

namespace leadflow::nurture {

struct AudienceVerdict {
  bool allowed = false;
  std::string detail;  // why it was blocked; no PII
};

class AudienceGuard {
 public:
  static AudienceVerdict Check(leadflow::common::v1::Relationship track_audience,
                               leadflow::common::v1::Relationship current_relationship);
};

}  // namespace leadflow::nurture
