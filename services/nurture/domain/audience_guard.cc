#include "nurture/domain/audience_guard.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;

AudienceVerdict AudienceGuard::Check(cv1::Relationship track_audience, cv1::Relationship current) {
  if (track_audience != cv1::PROSPECT && track_audience != cv1::CUSTOMER) {
    return {false, "track has no audience"};
  }
  if (current != cv1::PROSPECT && current != cv1::CUSTOMER) {
    return {false, "contact relationship unknown"};
  }
  if (track_audience != current) {
    return {false, "contact is now " + cv1::Relationship_Name(current) + ", track audience " +
                       cv1::Relationship_Name(track_audience)};
  }
  return {true, ""};
}

}  // namespace leadflow::nurture
