// The redis::Script of a .lua file embedded at build time (leadflow_embed_lua,
// cmake/EmbedLua.cmake), made once per script:
//   auto r = redis.Eval(EmbeddedScript<leadflow::lua::kLeadClaimsClaim>(), keys, args);
#pragma once

#include <string>
#include <string_view>

#include "common/redis/client.h"

namespace leadflow::routing {

template <const std::string_view& kBody>
redis::Script& EmbeddedScript() {
  static redis::Script script{std::string(kBody)};
  return script;
}

}  // namespace leadflow::routing
