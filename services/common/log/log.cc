#include "common/log/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <nlohmann/json.hpp>

namespace leadflow::log {
namespace {

struct State {
  std::mutex mu;
  std::string service = "leadflow";
  Level min_level = Level::kInfo;
};

State& GetState() {
  static State* s = new State();
  return *s;
}

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

std::string NowIso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = ms / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

void Init(std::string service, Level min_level) {
  State& s = GetState();
  std::lock_guard lock(s.mu);
  s.service = std::move(service);
  s.min_level = min_level;
}

Level ParseLevel(std::string_view text) {
  if (text == "debug") return Level::kDebug;
  if (text == "warn") return Level::kWarn;
  if (text == "error") return Level::kError;
  return Level::kInfo;
}

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  State& s = GetState();
  if (level < s.min_level) return;
  nlohmann::json line;
  line["ts"] = NowIso8601();
  line["level"] = LevelName(level);
  line["msg"] = message;
  for (const auto& [k, v] : fields) line[std::string(k)] = v;
  std::string text;
  {
    std::lock_guard lock(s.mu);
    line["service"] = s.service;
    text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  text.push_back('\n');
  std::lock_guard lock(s.mu);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace leadflow::log
