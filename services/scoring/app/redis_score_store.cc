#include "scoring/app/redis_score_store.h"

#include "common/redis/embedded_script.h"
#include "common/redis/reply.h"
#include "common/util/deterministic_bytes.h"
#include "put_score.lua.h"

namespace leadflow::scoring {
namespace {

redis::Script& PutScript() { return redis::EmbeddedScript<lua::kPutScore>(); }

// The latest score of a lead from HGET: nullopt when none is stored.
StatusOr<std::optional<leadflow::scoring::v1::LeadScored>> LatestFromReply(
    const redis::Reply& reply) {
  auto bytes = redis::ExpectStringOrNil(reply, "score store HGET");
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<leadflow::scoring::v1::LeadScored>();
  leadflow::scoring::v1::LeadScored s;
  if (!s.ParseFromString(**bytes)) return Status::Internal("score store: corrupt record");
  return std::optional<leadflow::scoring::v1::LeadScored>(std::move(s));
}

}  // namespace

Status RedisScoreStore::Put(const leadflow::scoring::v1::LeadScored& score) {
  return PutMany({&score}).front();
}

std::vector<Status> RedisScoreStore::PutMany(
    const std::vector<const leadflow::scoring::v1::LeadScored*>& scores) {
  if (scores.empty()) return {};
  std::vector<redis::ScriptCall> calls;
  calls.reserve(scores.size());
  const std::string ttl = std::to_string(ttl_.count());
  for (const auto* score : scores) {
    calls.push_back({{Key(score->lead().meta().lead_id())},
                     {std::to_string(score->revision()), SerializeDeterministic(*score), ttl}});
  }
  auto replies = redis_.EvalMany(PutScript(), calls);
  std::vector<Status> out;
  out.reserve(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    out.push_back(replies.ok() ? redis::ExpectOk((*replies)[i], "score store")
                               : Status::Unavailable("score store: " + replies.status().message()));
  }
  return out;
}

StatusOr<std::optional<leadflow::scoring::v1::LeadScored>> RedisScoreStore::Get(
    const std::string& lead_id) {
  return std::move(GetMany({lead_id}).front());
}

std::vector<StatusOr<std::optional<leadflow::scoring::v1::LeadScored>>> RedisScoreStore::GetMany(
    const std::vector<std::string>& lead_ids) {
  using Latest = std::optional<leadflow::scoring::v1::LeadScored>;
  std::vector<StatusOr<Latest>> out;
  if (lead_ids.empty()) return out;
  std::vector<redis::Command> commands;
  commands.reserve(lead_ids.size());
  for (const auto& id : lead_ids) commands.push_back({"HGET", Key(id), "score"});
  auto replies = redis_.Pipeline(commands);
  out.reserve(lead_ids.size());
  for (size_t i = 0; i < lead_ids.size(); ++i) {
    out.push_back(replies.ok() ? LatestFromReply((*replies)[i])
                               : Status::Unavailable("score store: " + replies.status().message()));
  }
  return out;
}

}  // namespace leadflow::scoring
