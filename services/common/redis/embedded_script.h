// The redis::Script of a .lua file embedded at build time (leadflow_embed_lua,
// cmake/EmbedLua.cmake), made once per script:
//   auto r = client.Eval(redis::EmbeddedScript<leadflow::lua::kLeadClaimsClaim>(), keys, args);
#pragma once

#include <string>
#include <string_view>

#include "common/redis/client.h"

namespace leadflow::redis {

template <const std::string_view& kBody>
Script& EmbeddedScript() {
  static Script script{std::string(kBody)};
  return script;
}

}  // namespace leadflow::redis
