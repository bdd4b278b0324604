#include "routing/app/zoneinfo_loader.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace leadflow::routing {
namespace {

bool PlausibleName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '/' || name.find("..") != std::string::npos) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '_' && c != '-' &&
        c != '+') {
      return false;
    }
  }
  return true;
}

}  // namespace

ZoneResolver SystemZoneResolver(std::string dir) {
  if (dir.empty()) {
    const char* env = std::getenv("TZDIR");
    dir = (env != nullptr && *env != '\0') ? env : "/usr/share/zoneinfo";
  }
  return [dir](const std::string& name) -> StatusOr<std::shared_ptr<const TimeZone>> {
    if (!PlausibleName(name)) {
      return Status::InvalidArgument("\"" + name + "\" is not an IANA time zone name");
    }
    std::ifstream in(dir + "/" + name, std::ios::binary);
    if (!in)
      return Status::NotFound("unknown time zone \"" + name + "\" (no " + dir + "/" + name + ")");
    std::stringstream buf;
    buf << in.rdbuf();
    return TimeZone::FromTzif(name, buf.str());
  };
}

}  // namespace leadflow::routing
