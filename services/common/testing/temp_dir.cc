#include "common/testing/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace leadflow::testing {

std::unique_ptr<TempDir> TempDir::Create(const std::string& prefix, std::string* error) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string pattern = (base / ("leadflow-" + prefix + "-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    if (error != nullptr) *error = "mkdtemp(" + pattern + ") failed: " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<TempDir>(new TempDir(pattern));
}

TempDir::~TempDir() {
  const char* keep = std::getenv("LEADFLOW_KEEP_TEST_TMP");
  if (keep != nullptr && *keep != '\0') return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace leadflow::testing
