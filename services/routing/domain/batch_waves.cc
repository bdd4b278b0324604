#include "routing/domain/batch_waves.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

namespace leadflow::routing {

BatchWaves::BatchWaves(std::vector<std::string> lead_ids, int max_attempts)
    : ids_(std::move(lead_ids)),
      finished_(ids_.size(), false),
      refused_(ids_.size(), 0),
      max_attempts_(max_attempts) {}

std::vector<size_t> BatchWaves::NextWave() const {
  std::vector<size_t> wave;
  std::unordered_set<std::string_view> taken;
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (finished_[i]) continue;
    if (taken.insert(ids_[i]).second) wave.push_back(i);
  }
  return wave;
}

bool BatchWaves::Retry(size_t i) {
  if (++refused_[i] >= max_attempts_) {
    finished_[i] = true;
    return false;
  }
  return true;
}

bool BatchWaves::done() const {
  return std::all_of(finished_.begin(), finished_.end(), [](bool f) { return f; });
}

}  // namespace leadflow::routing
