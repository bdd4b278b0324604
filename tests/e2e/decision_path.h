// Reading a routing decision's path in e2e tests. Header-only.
#pragma once

#include <string>

#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::e2e {

// "rule+(detail) rule-(detail) ...": a decision's path on one line, for
// failure messages.
inline std::string PathString(const leadflow::routing::v1::Decision& d) {
  std::string out;
  for (const auto& s : d.path()) {
    out += s.rule_id() + (s.matched() ? "+" : "-") + "(" + s.detail() + ") ";
  }
  return out;
}

// True when the path has a step `rule`, matched or not as `matched`, whose
// detail contains `detail_part`.
inline bool PathHas(const leadflow::routing::v1::Decision& d, const std::string& rule,
                    bool matched, const std::string& detail_part) {
  for (const auto& s : d.path()) {
    if (s.rule_id() == rule && s.matched() == matched &&
        s.detail().find(detail_part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace leadflow::e2e
