#include "routing/app/out_of_office_store.h"

#include "common/redis/embedded_script.h"
#include "out_of_office_set.lua.h"
#include "routing/app/routing_keys.h"

namespace leadflow::routing {

std::string OutOfOfficeStore::Key() { return std::string(kRoutingKeyPrefix) + "out-of-office"; }

std::string OutOfOfficeStore::Value(const OutOfOffice& windows, int64_t at_ms) {
  return std::to_string(at_ms) + "|" + EncodeOutOfOffice(windows);
}

OutOfOffice OutOfOfficeStore::Parse(std::string_view value) {
  const size_t bar = value.find('|');
  if (bar == std::string_view::npos) return {};
  return DecodeOutOfOffice(value.substr(bar + 1));
}

StatusOr<bool> OutOfOfficeStore::Set(const std::string& rep_id, const OutOfOffice& windows,
                                     int64_t at_ms) {
  redis::Script& script = redis::EmbeddedScript<leadflow::lua::kOutOfOfficeSet>();
  auto r = redis_.Eval(script, {Key(), RoutingStateKey()},
                       {rep_id, std::to_string(at_ms), EncodeOutOfOffice(windows)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Status::Unavailable("redis out-of-office script: " + r->str);
  return r->integer == 1;
}

}  // namespace leadflow::routing
