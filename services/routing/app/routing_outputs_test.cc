#include "routing/app/routing_outputs.h"

#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "leadflow/common/v1/dead_letter.pb.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

rv1::LeadAssigned Record(cv1::Relationship rel, rv1::RoutingOutcome outcome) {
  rv1::LeadAssigned r;
  auto* meta = r.mutable_scored()->mutable_lead()->mutable_meta();
  meta->set_lead_id("lead-1");
  meta->set_trace_id("trace-1");
  meta->set_account_key("acme.ru");
  meta->set_relationship(rel);
  r.mutable_scored()->mutable_lead()->set_account_owner("owner-1");
  r.mutable_decision()->set_outcome(outcome);
  r.mutable_decision()->set_team("team-a");
  return r;
}

kafka::ConsumedMessage Source() {
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsScored;
  m.key = "source-key";
  m.payload = "original-bytes";
  m.offset = 42;
  return m;
}

TEST(RoutingOutputs, EachOutcomeGoesToItsTopicKeyedByAccountWithTrace) {
  struct Case {
    cv1::Relationship rel;
    rv1::RoutingOutcome outcome;
    const char* topic;
  };
  for (const Case& c : {Case{cv1::PROSPECT, rv1::ASSIGNED, topics::kLeadsAssigned},
                        Case{cv1::PROSPECT, rv1::NAMED_OWNER, topics::kLeadsAssigned},
                        Case{cv1::PROSPECT, rv1::QUEUED, topics::kLeadsAssigned},
                        Case{cv1::PROSPECT, rv1::NURTURE, topics::kLeadsNurture},
                        Case{cv1::CUSTOMER, rv1::CUSTOMER_INBOUND, topics::kAccountsInbound}}) {
    std::vector<kafka::OutgoingMessage> out;
    ASSERT_TRUE(BuildOutputs(Record(c.rel, c.outcome), Source(), 1000, out).ok());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].topic, c.topic);
    EXPECT_EQ(out[0].key, "acme.ru");
    ASSERT_FALSE(out[0].headers.empty());
    EXPECT_EQ(out[0].headers.back().key, topics::kTraceHeader);
    EXPECT_EQ(out[0].headers.back().value, "trace-1");
  }
}

TEST(RoutingOutputs, CustomerInboundNamesTheOwner) {
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(BuildOutputs(Record(cv1::CUSTOMER, rv1::CUSTOMER_INBOUND), Source(), 0, out).ok());
  rv1::CustomerInbound c;
  ASSERT_TRUE(c.ParseFromString(out[0].payload));
  EXPECT_EQ(c.account_owner(), "owner-1");
  EXPECT_EQ(c.owner_team(), "team-a");
}

TEST(RoutingOutputs, DisqualifiedBecomesARejectionWithOriginalBytes) {
  auto r = Record(cv1::PROSPECT, rv1::DISQUALIFIED);
  r.mutable_scored()->add_disqualification_reasons(cv1::SCREENED_REVENUE);
  r.mutable_scored()->add_disqualification_reasons(cv1::SCREENED_REGION);
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(BuildOutputs(r, Source(), 5000, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kLeadsRejected);
  leadflow::common::v1::LeadRejected rej;
  ASSERT_TRUE(rej.ParseFromString(out[0].payload));
  EXPECT_EQ(rej.stage(), leadflow::common::v1::ROUTING);
  EXPECT_TRUE(rej.disqualified());
  EXPECT_EQ(rej.reason(), cv1::SCREENED_REVENUE);
  EXPECT_EQ(rej.original(), "original-bytes");
  EXPECT_EQ(rej.meta().lead_id(), "lead-1");
  EXPECT_EQ(rej.source_offset(), 42);
}

TEST(RoutingOutputs, TheWallRefusesMixedRecords) {
  for (auto outcome : {rv1::ASSIGNED, rv1::NURTURE, rv1::QUEUED, rv1::NAMED_OWNER}) {
    std::vector<kafka::OutgoingMessage> out;
    Status s = BuildOutputs(Record(cv1::CUSTOMER, outcome), Source(), 0, out);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.reason(), cv1::AUDIENCE_MISMATCH);
    EXPECT_TRUE(out.empty());
  }
  std::vector<kafka::OutgoingMessage> out;
  EXPECT_FALSE(BuildOutputs(Record(cv1::PROSPECT, rv1::CUSTOMER_INBOUND), Source(), 0, out).ok());
  EXPECT_TRUE(out.empty());
}

// The leads.scored path builds events around the consumed bytes; for the
// scoring service's (canonical) bytes they are the very bytes of serialising
// the whole record, for every outcome and for the wall.
TEST(RoutingOutputs, EventsFromTheConsumedBytesEqualEventsFromTheWholeRecord) {
  for (auto rel : {cv1::PROSPECT, cv1::CUSTOMER}) {
    for (auto outcome : {rv1::ASSIGNED, rv1::NAMED_OWNER, rv1::QUEUED, rv1::NURTURE,
                         rv1::CUSTOMER_INBOUND, rv1::DISQUALIFIED}) {
      auto whole = Record(rel, outcome);
      whole.mutable_scored()->set_total_score(240);
      whole.mutable_scored()->add_disqualification_reasons(cv1::SCREENED_REGION);
      whole.mutable_decision()->set_rep_id("rep-1");
      SetMillis(whole.mutable_sla_due_at(), 1763719200123);
      const std::string bytes = whole.scored().SerializeAsString();
      auto rest = whole;
      rest.clear_scored();
      const RecordParts parts{whole.scored(), bytes, rest};
      const std::string raw = EncodeRecord(parts);
      EXPECT_EQ(raw, whole.SerializeAsString());
      std::vector<kafka::OutgoingMessage> a, b;
      const Status sa = BuildOutputs(whole, Source(), 7, a);
      const Status sb = BuildOutputs(parts, raw, Source(), 7, b);
      EXPECT_EQ(sa.code(), sb.code()) << rv1::RoutingOutcome_Name(outcome);
      ASSERT_EQ(a.size(), b.size());
      for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].topic, b[i].topic);
        EXPECT_EQ(a[i].key, b[i].key);
        EXPECT_EQ(a[i].payload, b[i].payload) << rv1::RoutingOutcome_Name(outcome);
      }
    }
  }
}

TEST(RoutingOutputs, ARecordAroundNonCanonicalBytesStillParses) {
  auto whole = Record(cv1::PROSPECT, rv1::ASSIGNED);
  // Unknown field 999 (varint 5) appended, as from a newer scoring service.
  std::string bytes = whole.scored().SerializeAsString() + std::string("\xb8\x3e\x05", 3);
  auto rest = whole;
  rest.clear_scored();
  rv1::LeadAssigned parsed;
  ASSERT_TRUE(parsed.ParseFromString(EncodeRecord({whole.scored(), bytes, rest})));
  EXPECT_EQ(parsed.scored().lead().meta().lead_id(), "lead-1");
  EXPECT_EQ(parsed.decision().outcome(), rv1::ASSIGNED);
}

}  // namespace
}  // namespace leadflow::routing
