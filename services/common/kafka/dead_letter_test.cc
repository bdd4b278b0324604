// Dead letters are bounded: the original is cut to
// kMaxDeadLetterOriginalBytes, with the whole record's size and SHA-256.
#include "common/kafka/dead_letter.h"

#include <gtest/gtest.h>

#include "common/auth/sha256.h"
#include "common/kafka/topics.h"

namespace leadflow::kafka {
namespace {

ConsumedMessage Record(std::string payload) {
  ConsumedMessage m;
  m.topic = "leads.submitted";
  m.partition = 2;
  m.offset = 41;
  m.payload = std::move(payload);
  return m;
}

TEST(DeadLetter, ASmallOriginalIsKeptWholeWithItsSizeAndDigest) {
  const auto r = MakeRejection(Record("{\"email\": 1}"), leadflow::common::v1::INTAKE,
                               leadflow::common::v1::MALFORMED_PAYLOAD, "bad json", 1000);
  EXPECT_EQ(r.original(), "{\"email\": 1}");
  EXPECT_EQ(r.original_size(), 12u);
  EXPECT_FALSE(r.original_truncated());
  // printf '{"email": 1}' | sha256sum
  EXPECT_EQ(r.original_sha256(), auth::Sha256Hex("{\"email\": 1}"));
  EXPECT_EQ(r.original_sha256().size(), 64u);
  EXPECT_EQ(r.source_topic(), "leads.submitted");
  EXPECT_EQ(r.source_partition(), 2);
  EXPECT_EQ(r.source_offset(), 41);
}

TEST(DeadLetter, AHugeOriginalIsCutToTheBoundAndStillIdentified) {
  std::string huge(999900, 'x');
  for (size_t i = 0; i < huge.size(); i += 997) huge[i] = static_cast<char>('a' + i % 26);
  const auto r = MakeRejection(Record(huge), leadflow::common::v1::INTAKE,
                               leadflow::common::v1::PAYLOAD_TOO_LARGE, "too large", 1000);
  EXPECT_EQ(r.original().size(), kMaxDeadLetterOriginalBytes);
  EXPECT_EQ(r.original(), huge.substr(0, kMaxDeadLetterOriginalBytes));
  EXPECT_TRUE(r.original_truncated());
  EXPECT_EQ(r.original_size(), 999900u);
  EXPECT_EQ(r.original_sha256(), auth::Sha256Hex(huge));
  // Far below librdkafka's default message.max.bytes (1,000,000).
  const OutgoingMessage out = ToDeadLetterMessage(r);
  EXPECT_EQ(out.topic, topics::kLeadsRejected);
  EXPECT_LT(out.payload.size(), kMaxDeadLetterOriginalBytes + 1024);
}

TEST(DeadLetter, AnOriginalExactlyAtTheBoundIsNotTruncated) {
  const auto r = MakeRejection(Record(std::string(kMaxDeadLetterOriginalBytes, 'y')),
                               leadflow::common::v1::ROUTING, leadflow::common::v1::INTERNAL_ERROR,
                               "x", 1000);
  EXPECT_FALSE(r.original_truncated());
  EXPECT_EQ(r.original().size(), kMaxDeadLetterOriginalBytes);
}

}  // namespace
}  // namespace leadflow::kafka
