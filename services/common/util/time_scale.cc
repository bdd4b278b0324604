#include "common/util/time_scale.h"

#include <cstdlib>
#include <string>

namespace leadflow {

StatusOr<double> TimeScaleFromEnv(const char* variable) {
  const char* v = std::getenv(variable);
  if (v == nullptr || *v == '\0') return 1.0;
  char* end = nullptr;
  const double scale = std::strtod(v, &end);
  if (end == v || *end != '\0' || !(scale >= 1) || scale > 1e7) {
    return Status::InvalidArgument(std::string(variable) +
                                   ": expected a number in 1..10000000, got \"" + v + "\"");
  }
  return scale;
}

}  // namespace leadflow
