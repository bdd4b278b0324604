#include "routing/domain/deal_stages.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace leadflow::routing {

namespace cfg = leadflow::config::v1;

namespace {

Status Err(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("routing rules: " + field + ": " + what);
}

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

StatusOr<int64_t> ParseStageDuration(const std::string& text) {
  const std::string expected = "expected a whole number and a unit (s, m, h or d), e.g. \"30d\"";
  if (text.size() < 2 || text.size() > 12) return Status::InvalidArgument(expected);
  int64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      return Status::InvalidArgument(expected);
    }
    n = n * 10 + (text[i] - '0');
  }
  int64_t unit_ms = 0;
  switch (text.back()) {
    case 's':
      unit_ms = 1000;
      break;
    case 'm':
      unit_ms = 60 * 1000;
      break;
    case 'h':
      unit_ms = 3600 * 1000;
      break;
    case 'd':
      unit_ms = 86400 * 1000;
      break;
    default:
      return Status::InvalidArgument(expected);
  }
  if (n <= 0) return Status::InvalidArgument("must be > 0 (" + expected + ")");
  // At most ten years: a longer "maximum" is no maximum.
  constexpr int64_t kMaxMs = int64_t{3660} * 86400 * 1000;
  if (n > kMaxMs / unit_ms) return Status::InvalidArgument("must be at most 3660d");
  return n * unit_ms;
}

std::string StageOwnerName(cfg::DealStageOwner owner) { return cfg::DealStageOwner_Name(owner); }

StatusOr<DealStages> DealStages::Create(
    const google::protobuf::RepeatedPtrField<cfg::DealStage>& stages, double time_scale) {
  DealStages out;
  int last_pct = -1;
  for (int i = 0; i < stages.size(); ++i) {
    const auto& s = stages.Get(i);
    const std::string f = "deal_stages[" + std::to_string(i) + "]";
    const std::string who = " (stage \"" + s.stage_id() + "\")";
    if (!ValidId(s.stage_id())) {
      return Err(f + ".stage_id", "must be 1..64 of [a-z0-9_], got \"" + s.stage_id() + "\"");
    }
    if (!out.index_.emplace(s.stage_id(), i).second) {
      return Err(f + ".stage_id", "duplicate stage \"" + s.stage_id() + "\"");
    }
    if (s.win_probability_pct() < 0 || s.win_probability_pct() > 100) {
      return Err(f + ".win_probability_pct", "must be in 0..100" + who);
    }
    if (s.win_probability_pct() < last_pct) {
      return Err(f + ".win_probability_pct", "must not be below the previous stage's (" +
                                                 std::to_string(last_pct) +
                                                 "): stages are listed in order of progress" + who);
    }
    last_pct = s.win_probability_pct();
    auto max_ms = ParseStageDuration(s.max_time_in_stage());
    if (!max_ms.ok()) {
      return Err(f + ".max_time_in_stage",
                 "\"" + s.max_time_in_stage() + "\": " + max_ms.status().message() + who);
    }
    if (s.owner() == cfg::DEAL_STAGE_OWNER_UNSPECIFIED || !cfg::DealStageOwner_IsValid(s.owner())) {
      return Err(f + ".owner", "must be REP, PRESALE or TEAM_LEAD" + who);
    }
    DealStageInfo info;
    info.stage_id = s.stage_id();
    info.index = i;
    info.win_probability_pct = s.win_probability_pct();
    info.max_ms = time_scale > 1 ? std::max<int64_t>(1, std::llround(*max_ms / time_scale))
                                 : *max_ms;
    info.owner = s.owner();
    out.stages_.push_back(std::move(info));
  }
  return out;
}

const DealStageInfo* DealStages::Find(const std::string& stage_id) const {
  auto it = index_.find(stage_id);
  return it == index_.end() ? nullptr : &stages_[it->second];
}

std::string DealStages::Names() const {
  std::string out;
  for (const auto& s : stages_) out += (out.empty() ? "" : ", ") + s.stage_id;
  return out;
}

}  // namespace leadflow::routing
