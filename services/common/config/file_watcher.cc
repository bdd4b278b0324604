#include "common/config/file_watcher.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <thread>

namespace leadflow::config {

FileWatcher::FileWatcher(std::string path, Callback on_change, std::chrono::milliseconds interval)
    : path_(std::move(path)), on_change_(std::move(on_change)), interval_(interval) {
  last_ = Read();
}

FileWatcher::Fingerprint FileWatcher::Read() const {
  Fingerprint f;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return f;
  f.exists = true;
  uint64_t hash = 1469598103934665603ULL;
  char buf[8192];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    const auto n = static_cast<size_t>(in.gcount());
    for (size_t i = 0; i < n; ++i) {
      hash ^= static_cast<unsigned char>(buf[i]);
      hash *= 1099511628211ULL;
    }
    f.size += n;
  }
  f.hash = hash;
  return f;
}

bool FileWatcher::CheckNow() {
  const Fingerprint now = Read();
  if (now == last_) return false;
  last_ = now;
  if (on_change_) on_change_();
  return true;
}

void FileWatcher::Run(const std::atomic<bool>& stop) {
  const auto step = std::min(interval_, std::chrono::milliseconds(100));
  auto next = std::chrono::steady_clock::now() + interval_;
  while (!stop.load()) {
    std::this_thread::sleep_for(step);
    if (stop.load()) break;
    if (std::chrono::steady_clock::now() < next) continue;
    CheckNow();
    next = std::chrono::steady_clock::now() + interval_;
  }
}

}  // namespace leadflow::config
