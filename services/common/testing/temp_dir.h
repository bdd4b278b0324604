// RAII temporary directory for tests.

#ifndef LEADFLOW_SERVICES_COMMON_TESTING_TEMP_DIR_H_
#define LEADFLOW_SERVICES_COMMON_TESTING_TEMP_DIR_H_

#include <memory>
#include <string>

namespace leadflow::testing {

/// A fresh directory under $TMPDIR (or /tmp), removed recursively on
/// destruction unless the environment variable LEADFLOW_KEEP_TEST_TMP is set
/// to a non-empty value (handy for inspecting child process logs).
class TempDir {
 public:
  /// Creates "<tmp>/leadflow-<prefix>-XXXXXX". Returns nullptr and sets
  /// `*error` (if non-null) on failure.
  static std::unique_ptr<TempDir> Create(const std::string& prefix, std::string* error = nullptr);

  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Absolute path of the directory.
  const std::string& path() const { return path_; }

  /// path() + "/" + name.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}

  std::string path_;
};

}  // namespace leadflow::testing

#endif  // LEADFLOW_SERVICES_COMMON_TESTING_TEMP_DIR_H_
