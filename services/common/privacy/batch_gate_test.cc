#include "common/privacy/batch_gate.h"

#include <gtest/gtest.h>

namespace leadflow::privacy {
namespace {

kafka::ConsumedMessage Msg(std::string payload) {
  kafka::ConsumedMessage m;
  m.topic = "t";
  m.payload = std::move(payload);
  return m;
}

TEST(GatedBatchHandler, PassesReplacesOrAnswersEachMessageAndKeepsBatchOrder) {
  std::vector<std::string> seen;
  auto inner = PerMessage([&](const kafka::ConsumedMessage& m,
                              std::vector<kafka::OutgoingMessage>& out) {
    seen.push_back(m.payload);
    out.push_back({"out", "", m.payload, {}});
    return Status::Ok();
  });
  auto gate = [](const std::vector<kafka::ConsumedMessage>& batch) {
    std::vector<GateVerdict> v;
    for (const auto& m : batch) {
      if (m.payload == "drop") {
        v.push_back(GateVerdict::Done(Status::Ok()));
      } else if (m.payload == "retry") {
        v.push_back(GateVerdict::Done(Status::Unavailable("redis down")));
      } else if (m.payload == "change") {
        v.push_back(GateVerdict::Replace("changed"));
      } else {
        v.push_back(GateVerdict::Pass());
      }
    }
    return v;
  };
  auto handler = GatedBatchHandler(gate, inner);
  auto results = handler({Msg("a"), Msg("drop"), Msg("change"), Msg("retry"), Msg("b")});
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "changed", "b"}));
  EXPECT_EQ(results[0].out.at(0).payload, "a");
  EXPECT_TRUE(results[1].status.ok());
  EXPECT_TRUE(results[1].out.empty());
  EXPECT_EQ(results[2].out.at(0).payload, "changed");
  EXPECT_EQ(results[3].status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(results[4].out.at(0).payload, "b");
}

TEST(GatedBatchHandler, AGateAnsweringEverythingNeverCallsTheInnerHandler) {
  bool called = false;
  auto handler = GatedBatchHandler(
      [](const std::vector<kafka::ConsumedMessage>& b) {
        return std::vector<GateVerdict>(b.size(), GateVerdict::Done(Status::Ok()));
      },
      [&](const std::vector<kafka::ConsumedMessage>& b) {
        called = true;
        return std::vector<kafka::HandledMessage>(b.size());
      });
  EXPECT_EQ(handler({Msg("x"), Msg("y")}).size(), 2u);
  EXPECT_FALSE(called);
}

TEST(GatedBatchHandler, AWrongVerdictCountThrowsSoTheLoopFallsBackToSingleMessages) {
  auto handler = GatedBatchHandler(
      [](const std::vector<kafka::ConsumedMessage>&) { return std::vector<GateVerdict>{}; },
      PerMessage([](const kafka::ConsumedMessage&, std::vector<kafka::OutgoingMessage>&) {
        return Status::Ok();
      }));
  EXPECT_THROW(handler({Msg("x")}), std::logic_error);
}

}  // namespace
}  // namespace leadflow::privacy
