// leads.submitted as consumer batches (SubmittedHandler::HandleBatch over
// IntakeProcessor::ProcessMany): every record ends exactly as it does when the
// records are handled one at a time, duplicates inside one batch included.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "intake/app/submitted_handler.h"
#include "intake/testing/app_test_util.h"

namespace leadflow::intake {
namespace {

using testutil::GoodSubmission;

std::string ToJson(const leadflow::intake::v1::LeadSubmission& s) {
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(s, &out).ok());
  return out;
}

kafka::ConsumedMessage Record(std::string payload, int32_t partition, int64_t offset) {
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsSubmitted;
  m.partition = partition;
  m.offset = offset;
  m.payload = std::move(payload);
  m.timestamp_ms = 1'795'000'000'000;
  return m;
}

// A batch with a lead, its repeat (same partition and another one), a second
// lead, a customer, unparseable bytes and a lead with a field error.
std::vector<kafka::ConsumedMessage> MixedBatch() {
  auto other = GoodSubmission();
  other.set_email("olga@other-company.ru");
  auto customer = GoodSubmission();
  customer.set_email("buyer@vtb.ru");
  auto invalid = GoodSubmission();
  invalid.set_consent(false);
  const std::string lead = ToJson(GoodSubmission());
  return {Record(lead, 0, 10),          Record("{not json", 0, 11), Record(lead, 0, 12),
          Record(ToJson(other), 1, 5),  Record(lead, 1, 6),         Record(ToJson(customer), 0, 13),
          Record(ToJson(invalid), 1, 7)};
}

leadflow::accounts::v1::AccountState Vtb() {
  leadflow::accounts::v1::AccountState a;
  a.set_account_key("acct-vtb");
  a.set_relationship(leadflow::common::v1::CUSTOMER);
  a.set_owner_rep_id("rep-7");
  a.add_domains("vtb.ru");
  return a;
}

struct Handled {
  Status status;
  std::vector<kafka::OutgoingMessage> out;
};

class SubmittedBatchTest : public ::testing::Test {
 protected:
  SubmittedBatchTest() {
    one_by_one_.accounts.Add(Vtb());
    batched_.accounts.Add(Vtb());
  }
  std::vector<Handled> OneByOne(const std::vector<kafka::ConsumedMessage>& batch) {
    std::vector<Handled> out(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      out[i].status = sequential_handler_.Handle(batch[i], out[i].out);
    }
    return out;
  }
  std::vector<Handled> Batched(const std::vector<kafka::ConsumedMessage>& batch) {
    std::vector<Handled> out;
    for (auto& h : batch_handler_.HandleBatch(batch)) out.push_back({h.status, std::move(h.out)});
    return out;
  }
  // Statuses, topics and keys; payloads too unless the two fixtures' lead ids
  // have diverged.
  static void ExpectSame(const std::vector<Handled>& want, const std::vector<Handled>& got,
                         bool payloads = true) {
    ASSERT_EQ(want.size(), got.size());
    for (size_t i = 0; i < want.size(); ++i) {
      SCOPED_TRACE("message " + std::to_string(i));
      EXPECT_EQ(want[i].status.code(), got[i].status.code()) << got[i].status.message();
      ASSERT_EQ(want[i].out.size(), got[i].out.size());
      for (size_t k = 0; k < want[i].out.size(); ++k) {
        EXPECT_EQ(want[i].out[k].topic, got[i].out[k].topic);
        EXPECT_EQ(want[i].out[k].key, got[i].out[k].key);
        if (payloads &&
            want[i].out[k].topic != topics::kLeadsRejected) {  // rejections: a timestamp
          EXPECT_EQ(want[i].out[k].payload, got[i].out[k].payload);
        }
      }
    }
  }

  testutil::ProcessorFixture one_by_one_;
  testutil::ProcessorFixture batched_;
  SubmittedHandler sequential_handler_{one_by_one_.processor, one_by_one_.clock};
  SubmittedHandler batch_handler_{batched_.processor, batched_.clock};
};

TEST_F(SubmittedBatchTest, SameOutcomesAsOneAtATime) {
  const auto batch = MixedBatch();
  const auto want = OneByOne(batch);
  const auto got = Batched(batch);
  ExpectSame(want, got);
  // One lead for the three copies, then two engagement events naming it.
  ASSERT_EQ(got[0].out.size(), 1u);
  EXPECT_EQ(got[0].out[0].topic, topics::kLeadsAccepted);
  const auto first = testutil::DecodeAccepted(got[0].out[0]);
  for (size_t i : {2u, 4u}) {
    ASSERT_EQ(got[i].out.size(), 1u);
    EXPECT_EQ(got[i].out[0].topic, topics::kEngagementEvents);
    leadflow::engagement::v1::EngagementEvent e;
    ASSERT_TRUE(e.ParseFromString(got[i].out[0].payload));
    EXPECT_EQ(e.lead_id(), first.meta().lead_id());
  }
  EXPECT_EQ(got[1].out[0].topic, topics::kLeadsRejected);
  EXPECT_EQ(testutil::DecodeAccepted(got[5].out[0]).meta().relationship(),
            leadflow::common::v1::CUSTOMER);
  EXPECT_EQ(got[6].out[0].topic, topics::kLeadsRejected);
  EXPECT_EQ(batched_.metrics.ReceivedCount("web-form", "accepted"),
            one_by_one_.metrics.ReceivedCount("web-form", "accepted"));
  EXPECT_EQ(batched_.metrics.ReceivedCount("web-form", "duplicate"), 2.0);
}

TEST_F(SubmittedBatchTest, RedeliveredBatchRepublishesTheSameEvents) {
  const auto batch = MixedBatch();
  const auto first = Batched(batch);
  const auto again = Batched(batch);
  ExpectSame(first, again);
}

TEST_F(SubmittedBatchTest, ClaimStoreDownFailsOnlyTheLeadsNeedingIt) {
  batched_.memory_store.SetUnavailable(true);
  const auto got = Batched(MixedBatch());
  for (size_t i : {0u, 2u, 3u, 4u, 5u}) {
    EXPECT_EQ(got[i].status.code(), StatusCode::kUnavailable) << i;
    EXPECT_TRUE(got[i].out.empty());
  }
  // Unparseable and invalid records are dead-lettered all the same.
  EXPECT_TRUE(got[1].status.ok());
  EXPECT_TRUE(got[6].status.ok());
  EXPECT_EQ(got[6].out.size(), 1u);
}

TEST_F(SubmittedBatchTest, RegistryDownReleasesClaimsAndRetriesTheirDuplicates) {
  batched_.accounts.SetUnavailable(true);
  const auto batch = MixedBatch();
  const auto got = Batched(batch);
  // The leads fail (transient), and so do the repeats of the first one: their
  // original gave its claim up, so they must not name it.
  for (size_t i : {0u, 2u, 3u, 4u, 5u}) {
    EXPECT_EQ(got[i].status.code(), StatusCode::kUnavailable) << i;
  }
  EXPECT_EQ(batched_.memory_store.size(), 0u);
  // Redelivered once the registry is back: the same outcomes as one at a time
  // (with other lead ids: the failed attempt drew some).
  batched_.accounts.SetUnavailable(false);
  ExpectSame(OneByOne(batch), Batched(batch), /*payloads=*/false);
}

}  // namespace
}  // namespace leadflow::intake
