#include "intake/app/idempotency_store.h"

namespace leadflow::intake {}  // namespace leadflow::intake
