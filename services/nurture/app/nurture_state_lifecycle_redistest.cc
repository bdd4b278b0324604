// What nurture keeps of an enrolment once it ends, and for how long
// (nurture_keys.h, docs/state.md): the lead's body goes at once, the
// enrolment's ids and outcome expire after kEndedEnrolmentTtl, the lead and
// contact indexes after kIndexTtl, and nothing keeps the email.
#include "nurture/testing/nurture_app_fixture.h"

namespace leadflow::nurture {
namespace {

class NurtureStateLifecycleTest : public NurtureAppTest {
 protected:
  int64_t Ttl(const std::string& key) {
    return std::stoll(server_->Command({"TTL", key}).value_or("-3"));
  }
  bool Exists(const std::string& key) {
    return server_->Command({"EXISTS", key}).value_or("") == "1";
  }
  // Every key whose name or value holds `needle` (a test server: KEYS is fine).
  std::vector<std::string> KeysHolding(const std::string& needle) {
    std::vector<std::string> out;
    auto keys = redis_->Run({"KEYS", "*"});
    EXPECT_TRUE(keys.ok());
    if (!keys.ok()) return out;
    for (const auto& k : keys->elements) {
      const std::string type = server_->Command({"TYPE", k.str}).value_or("");
      std::vector<std::string> read = {"GET", k.str};
      if (type == "hash") read = {"HGETALL", k.str};
      if (type == "set") read = {"SMEMBERS", k.str};
      if (type == "list") read = {"LRANGE", k.str, "0", "-1"};
      if (type == "zset") read = {"ZRANGE", k.str, "0", "-1"};
      auto v = redis_->Run(read);
      std::string all = k.str;
      if (v.ok()) {
        all += v->str;
        for (const auto& e : v->elements) all += "|" + e.str;
      }
      if (all.find(needle) != std::string::npos) out.push_back(k.str);
    }
    return out;
  }
  static constexpr char kP[] = "lf:{nurture}:";
};

constexpr int64_t kEnded = kEndedEnrolmentTtl.count();
constexpr int64_t kIndex = kIndexTtl.count();

TEST_F(NurtureStateLifecycleTest, ACompletedEnrolmentKeepsIdsAndItsOutcomeOnlyWithTtls) {
  Enrol(Request("L1"));
  const std::string id = "L1:p-general";
  EXPECT_EQ(Ttl(std::string(kP) + "req:" + id), -1) << "active: kept whole, no TTL";
  EXPECT_TRUE(Exists(std::string(kP) + "contact-email:L1@acme.ru"));
  EXPECT_EQ(Poll(), 1);
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(Poll(), 1);
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(Poll(), 1);
  const auto e = EnrolmentOf("L1");
  EXPECT_EQ(e.state(), nv1::COMPLETED);
  EXPECT_EQ(e.sent_touch_ids_size(), 3);

  EXPECT_FALSE(Exists(std::string(kP) + "req:" + id)) << "the lead's body";
  EXPECT_FALSE(Exists(std::string(kP) + "contact-email:L1@acme.ru"));
  EXPECT_FALSE(Exists(std::string(kP) + "account:acme.ru"));
  EXPECT_EQ(server_->Command({"HGET", std::string(kP) + "enrol:" + id, "account_key"}).value_or(""),
            "(nil)");
  for (const std::string& key : {"enrol:" + id, "sent-list:" + id}) {
    EXPECT_GT(Ttl(kP + key), kEnded - 60) << key;
    EXPECT_LE(Ttl(kP + key), kEnded) << key;
  }
  EXPECT_GT(Ttl(std::string(kP) + "lead:L1"), kIndex - 60);
  EXPECT_GT(Ttl(std::string(kP) + "contact:contact-L1"), kEnded - 60) << "its last enrolment";
  EXPECT_LE(Ttl(std::string(kP) + "contact:contact-L1"), kEnded);
  for (int step = 0; step < 3; ++step) {
    const std::string marker = std::string(kP) + "sent:" + id + ":" + std::to_string(step);
    EXPECT_GT(Ttl(marker), 0) << marker;
    EXPECT_LE(Ttl(marker), kSentMarkerTtl.count()) << marker;
  }
  EXPECT_TRUE(KeysHolding("L1@acme.ru").empty()) << KeysHolding("L1@acme.ru").front();
  EXPECT_EQ(server_->Command({"ZCARD", std::string(kP) + "due"}).value_or(""), "0");

  // A redelivery or a rescore sent back to nurture: the lead enrols once, also
  // after its enrolment's hash has expired.
  server_->Command({"DEL", std::string(kP) + "enrol:" + id, std::string(kP) + "sent-list:" + id});
  Enrol(Request("L1"));
  EXPECT_EQ(server_->Command({"ZCARD", std::string(kP) + "due"}).value_or(""), "0");
  EXPECT_FALSE(Exists(std::string(kP) + "enrol:" + id));
}

TEST_F(NurtureStateLifecycleTest, AnExitEndsTheEnrolmentAndTheEmailLookupGoesWithItsLastOne) {
  auto first = Request("X1");
  auto second = Request("X2");  // the same person, a second lead
  *second.mutable_scored()->mutable_lead()->mutable_contact() = first.scored().lead().contact();
  Enrol(first);
  Enrol(second);
  const std::string email_key = std::string(kP) + "contact-email:X1@acme.ru";
  ASSERT_TRUE(store_->enrolments().Exit("X1:p-general", "replied").ok());
  EXPECT_EQ(EnrolmentOf("X1").exit_reason(), "replied");
  EXPECT_GT(Ttl(std::string(kP) + "contact:contact-X1"), kEnded) << "X2 is still active";
  EXPECT_FALSE(Exists(std::string(kP) + "req:X1:p-general"));
  EXPECT_TRUE(Exists(std::string(kP) + "req:X2:p-general"));
  auto found = store_->enrolments().ContactByEmail("X1@acme.ru");
  ASSERT_TRUE(found.ok() && found->has_value()) << "X2 is still active";
  EXPECT_EQ(**found, "contact-X1");
  EXPECT_EQ(server_->Command({"SCARD", std::string(kP) + "account:acme.ru"}).value_or(""), "1");
  EXPECT_EQ(server_->Command({"SISMEMBER", std::string(kP) + "account:acme.ru", "X2:p-general"})
                .value_or(""),
            "1");

  auto again = store_->enrolments().Exit("X1:p-general", "replied");  // redelivered
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  ASSERT_TRUE(store_->enrolments().Exit("X2:p-general", "meeting_booked").ok());
  EXPECT_FALSE(Exists(email_key));
  EXPECT_FALSE(Exists(std::string(kP) + "account:acme.ru"));
  EXPECT_LE(Ttl(std::string(kP) + "contact:contact-X1"), kEnded);
  EXPECT_TRUE(KeysHolding("X1@acme.ru").empty());
  // A new lead of the person: the contact's index never expires under an
  // active enrolment.
  auto third = Request("X3");
  *third.mutable_scored()->mutable_lead()->mutable_contact() = first.scored().lead().contact();
  Enrol(third);
  EXPECT_EQ(Ttl(std::string(kP) + "contact:contact-X1"), -1);
  EXPECT_EQ(Enrolments("contact-X1").size(), 3u) << "the ended ones answer until they expire";
}

TEST_F(NurtureStateLifecycleTest, UnsubscribingAKnownContactByEmailKeepsNoEmail) {
  Enrol(Request("U1"));
  nv1::UnsubscribeRequest req;
  req.set_email("U1@acme.ru");
  nv1::UnsubscribeResponse resp;
  ASSERT_TRUE(grpc_->Unsubscribe(&ctx_, &req, &resp).ok());
  EXPECT_EQ(resp.enrolments_exited(), 1);
  EXPECT_EQ(*store_->unsubscribes().Contains("contact-U1"), true);
  EXPECT_TRUE(KeysHolding("U1@acme.ru").empty());
  // An email nurture does not know is remembered as such.
  req.set_email("never@acme.ru");
  nv1::UnsubscribeResponse unknown;
  ASSERT_TRUE(grpc_->Unsubscribe(&ctx_, &req, &unknown).ok());
  EXPECT_EQ(unknown.enrolments_exited(), 0);
  EXPECT_EQ(*store_->unsubscribes().ContainsEmail("never@acme.ru"), true);
}

// An email lookup written before it was a hash still answers, and the next
// enrolment of that email turns it into the hash form.
TEST_F(NurtureStateLifecycleTest, AnEmailLookupOfTheOlderStringFormStillWorks) {
  server_->Command({"SET", std::string(kP) + "contact-email:O1@acme.ru", "contact-O1"});
  auto found = store_->enrolments().ContactByEmail("O1@acme.ru");
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, "contact-O1");
  Enrol(Request("O1"));
  EXPECT_EQ(server_->Command({"TYPE", std::string(kP) + "contact-email:O1@acme.ru"}).value_or(""),
            "hash");
  found = store_->enrolments().ContactByEmail("O1@acme.ru");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(**found, "contact-O1");
  ASSERT_TRUE(store_->enrolments().Exit("O1:p-general", "replied").ok());
  EXPECT_FALSE(Exists(std::string(kP) + "contact-email:O1@acme.ru"));
}

}  // namespace
}  // namespace leadflow::nurture
