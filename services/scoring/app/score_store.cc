#include "scoring/app/score_store.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace leadflow::scoring {
namespace {

redis::Script& PutScript() {
  // KEYS: score hash; ARGV: revision, bytes, ttl seconds. Returns 1 if stored.
  static redis::Script script(R"lua(
local cur = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if tonumber(ARGV[1]) < cur then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[1], 'score', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
)lua");
  return script;
}

}  // namespace

std::string SerializeDeterministic(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

Status RedisScoreStore::Put(const leadflow::scoring::v1::LeadScored& score) {
  auto reply = redis_.Eval(PutScript(), {Key(score.lead().meta().lead_id())},
                           {std::to_string(score.revision()), SerializeDeterministic(score),
                            std::to_string(ttl_.count())});
  if (!reply.ok()) return Status::Unavailable("score store: " + reply.status().message());
  if (reply->is_error()) return Status::Unavailable("score store: " + reply->str);
  return Status::Ok();
}

StatusOr<std::optional<leadflow::scoring::v1::LeadScored>> RedisScoreStore::Get(
    const std::string& lead_id) {
  auto reply = redis_.Run({"HGET", Key(lead_id), "score"});
  if (!reply.ok()) return Status::Unavailable("score store: " + reply.status().message());
  if (reply->is_error()) return Status::Unavailable("score store: " + reply->str);
  if (reply->is_nil()) return std::optional<leadflow::scoring::v1::LeadScored>();
  leadflow::scoring::v1::LeadScored s;
  if (!s.ParseFromString(reply->str)) return Status::Internal("score store: corrupt record");
  return std::optional<leadflow::scoring::v1::LeadScored>(std::move(s));
}

Status InMemoryScoreStore::Put(const leadflow::scoring::v1::LeadScored& score) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory store down");
  auto& slot = scores_[score.lead().meta().lead_id()];
  if (score.revision() >= slot.revision()) slot = score;
  return Status::Ok();
}

StatusOr<std::optional<leadflow::scoring::v1::LeadScored>> InMemoryScoreStore::Get(
    const std::string& lead_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory store down");
  auto it = scores_.find(lead_id);
  if (it == scores_.end()) return std::optional<leadflow::scoring::v1::LeadScored>();
  return std::optional<leadflow::scoring::v1::LeadScored>(it->second);
}

}  // namespace leadflow::scoring
