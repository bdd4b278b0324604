// ProduceLimitFilter on hand-built Kafka frames, fed in uneven pieces the way
// recvmsg()/sendmsg() see them.
#include "tools/devkafka/produce_limit_filter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace leadflow::devkafka {
namespace {

void I16(std::string& s, int16_t v) {
  s.push_back(static_cast<char>((v >> 8) & 0xff));
  s.push_back(static_cast<char>(v & 0xff));
}
void I32(std::string& s, int32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xff));
}
void I64(std::string& s, int64_t v) {
  I32(s, static_cast<int32_t>(v >> 32));
  I32(s, static_cast<int32_t>(v & 0xffffffff));
}
void Str(std::string& s, const std::string& v) {
  I16(s, static_cast<int16_t>(v.size()));
  s += v;
}
std::string Frame(const std::string& body) {
  std::string f;
  I32(f, static_cast<int32_t>(body.size()));
  return f + body;
}
// A record batch of `size` bytes whose RecordCount (offset 57) is 1.
std::string Batch(size_t size) {
  std::string b(size, 'r');
  b.replace(57, 4, std::string("\0\0\0\1", 4));
  return b;
}

struct Partition {
  int32_t index;
  size_t bytes;
};
struct Topic {
  std::string name;
  std::vector<Partition> partitions;
};

std::string ProduceRequest(int32_t corr, const std::vector<Topic>& topics) {
  std::string b;
  I16(b, 0);  // Produce
  I16(b, 7);
  I32(b, corr);
  Str(b, "test-client");
  I16(b, -1);  // no transactional id
  I16(b, -1);  // acks=all
  I32(b, 30000);
  I32(b, static_cast<int32_t>(topics.size()));
  for (const auto& t : topics) {
    Str(b, t.name);
    I32(b, static_cast<int32_t>(t.partitions.size()));
    for (const auto& p : t.partitions) {
      I32(b, p.index);
      I32(b, static_cast<int32_t>(p.bytes));
      b += Batch(p.bytes);
    }
  }
  return Frame(b);
}

// What the mock answers to a v7 Produce: per partition index, error, base
// offset, log append time, log start offset; then the throttle time.
std::string ProduceResponse(int32_t corr, const std::vector<Topic>& topics, int16_t error_of_big) {
  std::string b;
  I32(b, corr);
  I32(b, static_cast<int32_t>(topics.size()));
  for (const auto& t : topics) {
    Str(b, t.name);
    I32(b, static_cast<int32_t>(t.partitions.size()));
    for (const auto& p : t.partitions) {
      I32(b, p.index);
      I16(b, p.bytes > 1048588 ? error_of_big : 0);
      I64(b, 7);
      I64(b, -1);
      I64(b, 0);
    }
  }
  I32(b, 0);
  return Frame(b);
}

// Feeds `bytes` to the filter's request side in pieces of `piece` bytes.
void Receive(ProduceLimitFilter& f, std::string& bytes, size_t piece) {
  for (size_t at = 0; at < bytes.size(); at += piece) {
    f.OnRequestBytes(bytes.data() + at, std::min(piece, bytes.size() - at));
  }
}

// Sends `bytes` through the response side, offering everything left each
// time as two iovecs and "sending" at most `per_call` bytes per call.
void Send(ProduceLimitFilter& f, std::string& bytes, size_t per_call) {
  size_t at = 0;
  while (at < bytes.size()) {
    const size_t left = bytes.size() - at;
    const size_t first = left / 2;
    std::vector<ByteSpan> offered = {{bytes.data() + at, first},
                                     {bytes.data() + at + first, left - first}};
    f.PatchResponse(offered);
    const size_t sent = std::min(per_call, left);
    f.ResponseSent(offered, sent);
    at += sent;
  }
}

int32_t RecordCountAt(const std::string& frame, size_t batch_start) {
  const auto* p = reinterpret_cast<const unsigned char*>(frame.data() + batch_start + 57);
  return static_cast<int32_t>((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]);
}

TEST(ProduceLimitFilter, RefusesOnlyThePartitionOverTheLimitAndAnswersMessageTooLarge) {
  const std::vector<Topic> topics = {{"leads.submitted", {{0, 200}, {1, 1048589}}},
                                     {"leads.rejected", {{2, 1048588}}}};
  for (size_t piece : {1u, 7u, 4096u, 1u << 21}) {
    std::vector<RefusedBatch> refused;
    ProduceLimitFilter f(kBrokerMessageMaxBytes,
                         [&](const RefusedBatch& b) { refused.push_back(b); });
    std::string request = ProduceRequest(42, topics);
    Receive(f, request, piece);
    ASSERT_EQ(refused.size(), 1u) << "piece " << piece;
    EXPECT_EQ(refused[0].topic, "leads.submitted");
    EXPECT_EQ(refused[0].partition, 1);
    EXPECT_EQ(refused[0].bytes, 1048589);
    // Batch starts: 4 size + 2 + 2 + 4 + (2 + 11) + 2 + 2 + 4 + 4, then per topic/partition.
    const size_t first = 4 + 2 + 2 + 4 + 13 + 2 + 2 + 4 + 4 + (2 + 15) + 4 + 4 + 4;
    const size_t second = first + 200 + 4 + 4;
    const size_t third = second + 1048589 + (2 + 14) + 4 + 4 + 4;
    EXPECT_EQ(RecordCountAt(request, first), 1);
    EXPECT_EQ(RecordCountAt(request, second), 0) << "the mock refuses a batch of 0 records";
    EXPECT_EQ(RecordCountAt(request, third), 1) << "exactly message.max.bytes is allowed";

    std::string response = ProduceResponse(42, topics, /*INVALID_MSG_SIZE*/ 4);
    const std::string unpatched = response;
    Send(f, response, piece);
    std::string expected = ProduceResponse(42, topics, /*MESSAGE_TOO_LARGE*/ 10);
    EXPECT_EQ(response, expected) << "piece " << piece;
    // A later response with the same correlation id is left alone.
    std::string again = unpatched;
    Send(f, again, piece);
    EXPECT_EQ(again, unpatched);
  }
}

TEST(ProduceLimitFilter, LeavesOtherErrorsOtherRequestsAndOtherResponsesAlone) {
  ProduceLimitFilter f;
  const std::vector<Topic> topics = {{"t", {{0, 2000000}}}};
  // A Fetch request (api key 1) and a small Produce go through untouched.
  std::string fetch;
  I16(fetch, 1);
  I16(fetch, 11);
  I32(fetch, 1);
  Str(fetch, "c");
  fetch += std::string(100, 'f');
  fetch = Frame(fetch);
  const std::string fetch_copy = fetch;
  Receive(f, fetch, 3);
  EXPECT_EQ(fetch, fetch_copy);
  std::string big = ProduceRequest(2, topics);
  Receive(f, big, 65536);
  EXPECT_EQ(f.refused(), 1);
  // The Fetch response comes first; then the Produce response carries an
  // injected error (NOT_LEADER, 6) instead of the mock's 4: kept.
  std::string fetch_response;
  I32(fetch_response, 1);
  fetch_response += std::string(50, '\x04');
  fetch_response = Frame(fetch_response);
  const std::string fetch_response_copy = fetch_response;
  Send(f, fetch_response, 5);
  EXPECT_EQ(fetch_response, fetch_response_copy);
  std::string injected = ProduceResponse(2, topics, 6);
  const std::string injected_copy = injected;
  Send(f, injected, 1000);
  EXPECT_EQ(injected, injected_copy);
}

TEST(ProduceLimitFilter, GarbageMakesItPassEverythingThrough) {
  ProduceLimitFilter f;
  std::string junk = "\xff\xff\xff\xff garbage that is not kafka";
  const std::string copy = junk;
  Receive(f, junk, 4);
  EXPECT_EQ(junk, copy);
  std::string big = ProduceRequest(3, {{"t", {{0, 2000000}}}});
  const std::string big_copy = big;
  Receive(f, big, 4096);
  EXPECT_EQ(big, big_copy);
  EXPECT_EQ(f.refused(), 0);
}

}  // namespace
}  // namespace leadflow::devkafka
