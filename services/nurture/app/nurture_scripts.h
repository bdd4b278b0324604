// Nurture's Lua scripts (keys and arguments documented on each; the key
// layout is in nurture_store.h). Each script touches keys of the {nurture}
// hash tag only.
#pragma once

#include "common/redis/client.h"

namespace leadflow::nurture::scripts {

redis::Script& Enrol();
redis::Script& Claim();
redis::Script& ClaimDue();
redis::Script& Finish();
redis::Script& ContactChecks();
redis::Script& Defer();
redis::Script& Lease();
redis::Script& Exit();

}  // namespace leadflow::nurture::scripts
