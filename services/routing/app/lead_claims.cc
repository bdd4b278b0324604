#include "routing/app/lead_claims.h"

#include "common/redis/embedded_script.h"
#include "common/redis/reply.h"
#include "lead_claims_claim.lua.h"
#include "lead_claims_reassign.lua.h"
#include "routing/app/routing_keys.h"
#include "routing/app/sla_ladder_store.h"

namespace leadflow::routing {
namespace {

constexpr int kDailyTtlSeconds = 3 * 86400;

// Keys and arguments per claim in lead_claims_claim.lua (a batch passes them
// back to back, after the two strides).
constexpr size_t kClaimKeys = 10;
constexpr size_t kClaimArgs = 15;

// One claim's reply: {1, n, depth} claimed, {0, record, 0} exists, {2, '', 0}
// no capacity (lead_claims_claim.lua, lead_claims_reassign.lua).
StatusOr<ClaimResult> ParseClaimReply(redis::Reply& r, const std::string& lead_id,
                                      const std::string& what) {
  if (Status s = redis::ExpectArray(r, 3, what); !s.ok()) return s;
  ClaimResult out;
  switch (r.elements[0].integer) {
    case 1:
      out.kind = ClaimResult::Kind::kClaimed;
      out.rep_open_leads = r.elements[1].integer;
      out.queue_depth = r.elements[2].integer;
      return out;
    case 2:
      out.kind = ClaimResult::Kind::kNoCapacity;
      return out;
    default:
      out.kind = ClaimResult::Kind::kExists;
      out.existing.raw = std::move(r.elements[1].str);
      if (!out.existing.raw.empty() && !out.existing.record.ParseFromString(out.existing.raw)) {
        return Status::Internal("stored decision for lead " + lead_id + " is corrupt");
      }
      return out;
  }
}

const char* ModeOf(ClaimEffect effect) {
  return effect == ClaimEffect::kRep ? "rep" : effect == ClaimEffect::kQueue ? "queue" : "none";
}

// Appends the claim script's keys and arguments for one request (the order
// lead_claims_claim.lua names them in).
void AppendClaim(const ClaimRequest& q, std::vector<std::string>& keys,
                 std::vector<std::string>& args) {
  std::string raw;
  const std::string* lead_id = &q.lead_id;
  const std::string* rep = &q.rep_id;
  const std::string* team = &q.team;
  if (q.raw != nullptr) {
    raw = *q.raw;
  } else {
    const auto& record = *q.record;
    lead_id = &record.scored().lead().meta().lead_id();
    rep = &record.decision().rep_id();
    team = &record.decision().team();
    record.SerializeToString(&raw);
  }
  const std::string state = RoutingStateKey();
  keys.insert(keys.end(), {DecisionKey(*lead_id), OpenLeadsKey(*rep), DailyCountKey(q.day, *rep),
                           OpenSetKey(*rep), TeamQueueKey(*team), SlaTimersKey(), OutboxKey(),
                           state, q.cohort.empty() ? state : CohortLeadsKey(q.cohort),
                           SlaLadderStore::NewTimersKey()});
  args.push_back(std::move(raw));  // the record's bytes: moved, never copied
  args.insert(args.end(),
              {ModeOf(q.effect), *lead_id, std::to_string(kDailyTtlSeconds),
               q.replace_raw ? "1" : "0", q.replace_raw.value_or(""), std::to_string(q.max_open),
               std::to_string(q.daily_cap), std::to_string(q.sla_due_ms), q.dequeue ? "1" : "0",
               std::to_string(q.outbox_ms), std::to_string(q.ttl_seconds), q.queue_entry,
               q.cohort.empty() ? "0" : "1", std::to_string(q.cohort_expires_at)});
}

const std::string& ClaimLeadId(const ClaimRequest& q) {
  return q.raw != nullptr ? q.lead_id : q.record->scored().lead().meta().lead_id();
}

}  // namespace

StatusOr<ClaimResult> LeadClaims::Claim(const ClaimRequest& q) {
  auto many = ClaimMany({q});
  if (!many.ok()) return many.status();
  return std::move(many->front());
}

StatusOr<std::vector<StatusOr<ClaimResult>>> LeadClaims::ClaimMany(
    const std::vector<ClaimRequest>& requests) {
  std::vector<StatusOr<ClaimResult>> out;
  if (requests.empty()) return out;
  // One script call for the batch: every key is under {routing} (one slot).
  std::vector<std::string> keys, args;
  keys.reserve(kClaimKeys * requests.size());
  args.reserve(2 + kClaimArgs * requests.size());
  args.push_back(std::to_string(kClaimKeys));
  args.push_back(std::to_string(kClaimArgs));
  for (const auto& q : requests) AppendClaim(q, keys, args);
  auto reply = redis_.Eval(redis::EmbeddedScript<leadflow::lua::kLeadClaimsClaim>(), keys, args);
  if (!reply.ok()) return reply.status();
  if (Status s = redis::ExpectArray(*reply, requests.size(), "claim script"); !s.ok()) return s;
  out.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    out.push_back(ParseClaimReply(reply->elements[i], ClaimLeadId(requests[i]), "claim script"));
  }
  return out;
}

StatusOr<ClaimResult> LeadClaims::Reassign(const ReassignRequest& q) {
  const auto& record = *q.record;
  const std::string& lead_id = record.scored().lead().meta().lead_id();
  const std::string& rep = record.decision().rep_id();
  std::string raw;
  record.SerializeToString(&raw);
  auto r =
      redis_.Eval(redis::EmbeddedScript<leadflow::lua::kLeadClaimsReassign>(),
                  {DecisionKey(lead_id), OpenLeadsKey(q.old_rep), OpenSetKey(q.old_rep),
                   OpenLeadsKey(rep), DailyCountKey(q.day, rep), OpenSetKey(rep), SlaTimersKey(),
                   OutboxKey(), RoutingStateKey(), SlaLadderStore::NewTimersKey()},
                  {raw, q.expected_raw, lead_id, std::to_string(q.max_open),
                   std::to_string(q.daily_cap), std::to_string(kDailyTtlSeconds),
                   std::to_string(q.sla_due_ms), std::to_string(q.outbox_ms)});
  if (!r.ok()) return r.status();
  return ParseClaimReply(*r, lead_id, "reassign script");
}

}  // namespace leadflow::routing
