// The `--info-file` written by leadflow-devkafka once it is ready, so that
// test fixtures and scripts can discover its addresses.

#ifndef LEADFLOW_TOOLS_DEVKAFKA_INFO_FILE_H_
#define LEADFLOW_TOOLS_DEVKAFKA_INFO_FILE_H_

#include <string>

namespace leadflow::devkafka {

/// Formats {"bootstrap":"127.0.0.1:p1,...","control":"127.0.0.1:port","brokers":N}
/// followed by a newline. Pure.
std::string FormatInfoJson(const std::string& bootstrap, const std::string& control, int brokers);

/// Writes `content` to `path` atomically: the data goes to a temporary file in
/// the same directory which is then renamed over `path`, so readers see either
/// no file or the complete file. Returns false and sets `*error` on failure.
bool WriteFileAtomically(const std::string& path, const std::string& content, std::string* error);

}  // namespace leadflow::devkafka

#endif  // LEADFLOW_TOOLS_DEVKAFKA_INFO_FILE_H_
