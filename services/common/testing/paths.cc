#include "common/testing/paths.h"

#include <cstdlib>

namespace leadflow::testing {
namespace {

std::string EnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : fallback;
}

}  // namespace

std::string SourceDir() { return EnvOr("LEADFLOW_SOURCE_DIR", LEADFLOW_SOURCE_DIR_DEFAULT); }
std::string SourcePath(const std::string& relative) { return SourceDir() + "/" + relative; }
std::string BinDir() { return EnvOr("LEADFLOW_BIN_DIR", LEADFLOW_BIN_DIR_DEFAULT); }
std::string BinPath(const std::string& name) { return BinDir() + "/" + name; }

}  // namespace leadflow::testing
