// Watches one configuration file for changes, for hot reload of business
// rules (e.g. the scoring model) without a restart.
//
// Polling, not inotify: every `interval` the file is read through its path
// (symlinks followed), so an in-place write, an atomic rename over the file,
// and a Kubernetes ConfigMap's symlink swap are all seen. A change is a
// different content (compared by size and a 64-bit FNV-1a hash) or the file
// appearing / disappearing. The content seen at construction is the baseline,
// so the initial load done by the service is not repeated.
//
//   config::FileWatcher watcher(path, [&] { reloader.Reload(); });
//   rt.AddBackgroundTask("model-watch", [&](const auto& stop) { watcher.Run(stop); });
//
// The callback runs on the thread calling Run() / CheckNow(), once per
// observed change, never concurrently with itself. It should validate the file
// and keep the old rules on error; the watcher does not interpret content.
// Thread-safety: CheckNow() and Run() must not be called concurrently; the
// object must outlive Run().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace leadflow::config {

class FileWatcher {
 public:
  using Callback = std::function<void()>;

  FileWatcher(std::string path, Callback on_change,
              std::chrono::milliseconds interval = std::chrono::seconds(2));

  const std::string& path() const { return path_; }

  // Reads the file once; if it changed since the last look, calls the
  // callback and returns true.
  bool CheckNow();

  // Calls CheckNow() every interval until `stop` becomes true (checked at
  // least every 100 ms, so shutdown is prompt).
  void Run(const std::atomic<bool>& stop);

 private:
  struct Fingerprint {
    bool exists = false;
    uint64_t size = 0;
    uint64_t hash = 0;
    bool operator==(const Fingerprint& o) const {
      return exists == o.exists && size == o.size && hash == o.hash;
    }
  };
  Fingerprint Read() const;

  std::string path_;
  Callback on_change_;
  std::chrono::milliseconds interval_;
  Fingerprint last_;
};

}  // namespace leadflow::config
