// Out-of-office windows (docs/domain-rules.md, "Calendars") through the
// OutOfOfficeProcessor and its store against a real redis-server: a later
// change wins whatever the order it arrives in, refused records name the
// field and reason, decisions read the windows, and nothing is written while
// routing's state is being rebuilt.
#include "routing/app/out_of_office_processor.h"
#include "routing/app/out_of_office_store.h"
#include "routing/testing/routing_app_fixture.h"

namespace leadflow::routing {
namespace {

constexpr int64_t kNow = 1763715600000;  // the fixture's clock: Friday noon, Moscow
constexpr int64_t kHour = 3600 * 1000;

rv1::RepOutOfOffice Change(const std::string& rep, int64_t at_ms,
                           std::vector<std::pair<int64_t, int64_t>> windows) {
  rv1::RepOutOfOffice c;
  c.set_rep_id(rep);
  c.mutable_at()->set_seconds(at_ms / 1000);
  for (auto [s, e] : windows) {
    auto* w = c.add_windows();
    w->mutable_start()->set_seconds(s / 1000);
    w->mutable_end()->set_seconds(e / 1000);
  }
  return c;
}

class OutOfOfficeTest : public RoutingAppTest {
 protected:
  void SetUp() override {
    RoutingAppTest::SetUp();
    ooo_store_ = std::make_unique<OutOfOfficeStore>(*redis_);
    processor_ = std::make_unique<OutOfOfficeProcessor>(policy_, *ooo_store_, clock_,
                                                        [this] { ++changes_; });
  }

  OutOfOffice Stored(const std::string& rep) {
    auto r = redis_->Run({"HGET", OutOfOfficeStore::Key(), rep});
    EXPECT_TRUE(r.ok());
    return r.ok() ? OutOfOfficeStore::Parse(r->str) : OutOfOffice{};
  }

  std::unique_ptr<OutOfOfficeStore> ooo_store_;
  std::unique_ptr<OutOfOfficeProcessor> processor_;
  int changes_ = 0;
};

TEST_F(OutOfOfficeTest, ALaterChangeWinsWhateverTheOrderItArrivesIn) {
  ASSERT_TRUE(processor_->Apply(Change("ka-a", kNow - 10000, {{kNow, kNow + kHour}})).ok());
  // An older record, e.g. a slow consumer of reps.out-of-office: ignored.
  ASSERT_TRUE(processor_->Apply(Change("ka-a", kNow - 20000, {{kNow, kNow + 5 * kHour}})).ok());
  EXPECT_EQ(Stored("ka-a"), (OutOfOffice{{kNow, kNow + kHour}}));
  EXPECT_EQ(changes_, 1);
  // The same change again (routing consuming the record its gRPC call
  // published): nothing to apply, no second wake-up.
  ASSERT_TRUE(processor_->Apply(Change("ka-a", kNow - 10000, {{kNow, kNow + kHour}})).ok());
  EXPECT_EQ(changes_, 1);
  // A newer one clears them.
  ASSERT_TRUE(processor_->Apply(Change("ka-a", kNow, {})).ok());
  EXPECT_TRUE(Stored("ka-a").empty());
  EXPECT_EQ(changes_, 2);
}

TEST_F(OutOfOfficeTest, DecisionsSkipARepInsideAWindow) {
  ASSERT_TRUE(processor_->Apply(Change("ka-a", kNow, {{kNow - kHour, kNow + kHour}})).ok());
  for (int i = 0; i < 5; ++i) {
    auto out = Handle(Lead("O" + std::to_string(i), cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
    ASSERT_EQ(out.size(), 1u);
    rv1::LeadAssigned a;
    ASSERT_TRUE(a.ParseFromString(out[0].payload));
    EXPECT_NE(a.decision().rep_id(), "ka-a");
  }
}

TEST_F(OutOfOfficeTest, RefusedRecordsNameTheFieldAndReason) {
  kafka::ConsumedMessage m;
  m.topic = topics::kRepsOutOfOffice;
  std::vector<kafka::OutgoingMessage> out;
  m.payload = "\xff not a record";
  Status s = processor_->Handle(m, out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.reason(), cv1::MALFORMED_PAYLOAD);
  m.payload = Change("", kNow, {}).SerializeAsString();
  s = processor_->Handle(m, out);
  EXPECT_EQ(s.message(), "rep_id: required");
  EXPECT_EQ(s.reason(), cv1::MISSING_FIELD);
  m.payload = Change("nobody", kNow, {}).SerializeAsString();
  EXPECT_EQ(processor_->Handle(m, out).message(), "rep_id: unknown rep \"nobody\"");
  m.payload = Change("ka-a", kNow, {{kNow + kHour, kNow}}).SerializeAsString();
  s = processor_->Handle(m, out);
  EXPECT_EQ(s.message(), "windows[0].end: must be after start");
  EXPECT_EQ(s.reason(), cv1::INVALID_FIELD);
  m.payload = Change("ka-a", kNow + kHour, {}).SerializeAsString();
  EXPECT_EQ(processor_->Handle(m, out).message(), "at: more than 5 minutes in the future");
  EXPECT_EQ(changes_, 0);
  EXPECT_TRUE(out.empty());
}

TEST_F(OutOfOfficeTest, NothingIsWrittenWhileTheStateIsRebuilt) {
  ASSERT_TRUE(redis_->Run({"DEL", RoutingStateKey()}).ok());
  auto r = processor_->Apply(Change("ka-a", kNow, {{kNow, kNow + kHour}}));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Stored("ka-a").empty());
}

}  // namespace
}  // namespace leadflow::routing
