// NurtureEraser against a real redis-server: the erased contact's enrolments,
// schedule, send history and email lookups go; its id stays unsubscribed;
// another contact is untouched.
#include <gtest/gtest.h>

#include "leadflow/privacy/v1/privacy.pb.h"
#include "nurture/app/nurture_eraser.h"
#include "common/testing/redis_server.h"

namespace leadflow::nurture {
namespace {

constexpr char kAnna[] = "c-00000000000000a1";
constexpr char kBoris[] = "c-00000000000000b2";

class NurtureEraserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(server_) << error;
    auto c = redis::Client::Connect({.url = server_->url()});
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = std::move(*c);
    store_ = std::make_unique<NurtureStore>(*client_);
  }
  void Enrol(const std::string& contact, const std::string& lead, const std::string& email) {
    NewEnrolment e;
    e.enrolment_id = "en-" + lead;
    e.contact_id = contact;
    e.lead_id = lead;
    e.track_id = "t1";
    e.account_key = email;  // a free-mail lead: the account key is the email
    e.email = email;
    e.trace_id = "tr";
    e.enrolled_ms = 1;
    e.first_touch_id = e.enrolment_id + ":0";
    e.first_due_ms = 1000;
    leadflow::routing::v1::NurtureRequested req;
    req.mutable_scored()->mutable_lead()->mutable_contact()->set_email(email);
    req.mutable_scored()->mutable_lead()->mutable_contact()->set_contact_id(contact);
    auto r = store_->enrolments().Enrol(e, req);
    ASSERT_TRUE(r.ok() && *r);
    ASSERT_TRUE(*store_->touches().ClaimTouch(e.first_touch_id, 1000));
    ASSERT_TRUE(store_->touches()
                    .Finish(e.enrolment_id, contact, e.first_touch_id, 0, true, 1000,
                            e.enrolment_id + ":1", 2000)
                    .ok());
  }
  std::string Cmd(const std::vector<std::string>& c) { return server_->Command(c).value_or("?"); }
  bool AnyKeyContains(const std::string& needle) {
    // KEYS is fine on a test server with a handful of keys.
    auto r = client_->Run({"KEYS", "*"});
    if (!r.ok()) return true;
    const redis::Reply reply = *r;
    for (const auto& k : reply.elements) {
      if (k.str.find(needle) != std::string::npos) return true;
    }
    return false;
  }

  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<NurtureStore> store_;
};

TEST_F(NurtureEraserTest, ErasesTheContactsNurtureStateAndKeepsItUnsubscribed) {
  Enrol(kAnna, "L-a1", "anna@gmail.com");
  Enrol(kAnna, "L-a2", "anna@gmail.com");
  Enrol(kBoris, "L-b1", "boris@gmail.com");
  ASSERT_TRUE(store_->unsubscribes().AddEmail("anna@gmail.com").ok());
  ASSERT_EQ(Cmd({"ZCARD", "lf:{nurture}:due"}), "3");

  NurtureEraser eraser(*store_, *client_);
  leadflow::privacy::v1::ContactErasure erasure;
  erasure.set_erasure_id("er-1");
  erasure.set_contact_id(kAnna);
  ASSERT_TRUE(eraser.Erase(erasure).ok());
  ASSERT_TRUE(eraser.Erase(erasure).ok());  // redelivered: harmless

  EXPECT_FALSE(AnyKeyContains(kAnna));
  EXPECT_FALSE(AnyKeyContains("anna@"));
  // Only the sent markers (ids, for exactly-once) still name the erased enrolments.
  auto left = client_->Run({"KEYS", "*en-L-a*"});
  ASSERT_TRUE(left.ok());
  const redis::Reply reply = *left;
  for (const auto& k : reply.elements) {
    EXPECT_EQ(k.str.rfind("lf:{nurture}:sent:", 0), 0u) << k.str;
  }
  EXPECT_EQ(Cmd({"SISMEMBER", "lf:{nurture}:unsub-email", "anna@gmail.com"}), "0");
  EXPECT_EQ(Cmd({"SISMEMBER", "lf:{nurture}:unsub", kAnna}), "1") << "the tombstone";
  EXPECT_EQ(Cmd({"ZCARD", "lf:{nurture}:due"}), "1") << "only Boris's next touch is scheduled";
  EXPECT_EQ(Cmd({"ZSCORE", "lf:{nurture}:due", "en-L-b1:1"}), "2000");
  auto boris = store_->enrolments().EnrolmentsOfContact(kBoris);
  ASSERT_TRUE(boris.ok());
  EXPECT_EQ(boris->size(), 1u);
  EXPECT_TRUE(AnyKeyContains("boris@gmail.com"));
  EXPECT_EQ(*store_->unsubscribes().Contains(kBoris), false);
}

}  // namespace
}  // namespace leadflow::nurture
