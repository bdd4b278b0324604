// Structured logging: one JSON object per line on stderr.
//
//   log::Info("lead accepted", {{"topic", "leads.accepted"}, {"partition", "3"}});
//
// Thread-safe (one mutex around the write). Never put a lead's email, phone or
// name in a field: docs/architecture.md ("Conventions") forbids PII in logs; ids such as lead_id are fine.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace leadflow::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

using Field = std::pair<std::string_view, std::string>;

// Sets the service name stamped on every line and the minimum level.
void Init(std::string service, Level min_level);
// Parses "debug", "info", "warn", "error"; unknown text gives kInfo.
Level ParseLevel(std::string_view text);

void Write(Level level, std::string_view message, std::initializer_list<Field> fields);

inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kError, m, f); }

}  // namespace leadflow::log
