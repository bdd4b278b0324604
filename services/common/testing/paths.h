// Where tests find the repository (shipped config/, samples/) and the built
// binaries. Both default to the directories of the build that compiled the
// test, so a test binary run by hand behaves as it does under CTest; the
// environment variables LEADFLOW_SOURCE_DIR and LEADFLOW_BIN_DIR override
// them (e.g. to test installed binaries). Thread-safe; no I/O.
#pragma once

#include <string>

namespace leadflow::testing {

/// The repository root: $LEADFLOW_SOURCE_DIR, else the source dir of this build.
std::string SourceDir();
/// SourceDir() + "/" + relative, e.g. SourcePath("config/intake.json").
std::string SourcePath(const std::string& relative);
/// The binaries' directory: $LEADFLOW_BIN_DIR, else <build>/bin.
std::string BinDir();
/// BinDir() + "/" + name, e.g. BinPath("leadflow-intake").
std::string BinPath(const std::string& name);

}  // namespace leadflow::testing
