#include "common/privacy/erasure.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "common/privacy/erasure_handler.h"

namespace leadflow::privacy {
namespace {

namespace pv1 = leadflow::privacy::v1;
namespace cv1 = leadflow::common::v1;

constexpr char kContact[] = "c-0123456789abcdef";

kafka::ConsumedMessage Record(const pv1::ContactErasure& e, std::string key = kContact) {
  kafka::ConsumedMessage m;
  m.topic = topics::kPrivacyErasure;
  m.key = std::move(key);
  e.SerializeToString(&m.payload);
  return m;
}

pv1::ContactErasure Valid() {
  pv1::ContactErasure e;
  e.set_erasure_id("er-1");
  e.set_contact_id(kContact);
  e.add_lead_ids("L-00ff");
  return e;
}

TEST(ContactId, ShapeIsCDashSixteenLowerHex) {
  EXPECT_TRUE(IsContactId(kContact));
  EXPECT_FALSE(IsContactId("c-0123456789ABCDEF"));
  EXPECT_FALSE(IsContactId("c-0123"));
  EXPECT_FALSE(IsContactId("x-0123456789abcdef"));
  EXPECT_FALSE(IsContactId("someone@example.com"));
}

TEST(ParseErasure, AcceptsAValidRecordAndRoundTripsThroughErasureMessage) {
  const auto out = ErasureMessage(Valid());
  EXPECT_EQ(out.topic, std::string(topics::kPrivacyErasure));
  EXPECT_EQ(out.key, kContact);
  kafka::ConsumedMessage in;
  in.topic = out.topic;
  in.key = out.key;
  in.payload = out.payload;
  auto parsed = ParseErasure(in);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->erasure_id(), "er-1");
  EXPECT_EQ(parsed->lead_ids_size(), 1);
}

TEST(ParseErasure, RefusesMalformedRecordsWithAReason) {
  kafka::ConsumedMessage garbage = Record(Valid());
  garbage.payload = "\xff\xff\xff not a proto";
  EXPECT_EQ(ParseErasure(garbage).status().reason(), cv1::MALFORMED_PAYLOAD);

  auto no_id = Valid();
  no_id.clear_erasure_id();
  EXPECT_EQ(ParseErasure(Record(no_id)).status().reason(), cv1::MISSING_FIELD);

  auto no_contact = Valid();
  no_contact.clear_contact_id();
  EXPECT_EQ(ParseErasure(Record(no_contact, "")).status().reason(), cv1::MISSING_FIELD);

  auto email = Valid();
  email.set_contact_id("someone@example.com");
  EXPECT_EQ(ParseErasure(Record(email, "")).status().reason(), cv1::INVALID_FIELD);

  EXPECT_EQ(ParseErasure(Record(Valid(), "c-ffffffffffffffff")).status().reason(),
            cv1::INVALID_FIELD);

  auto bad_lead = Valid();
  bad_lead.add_lead_ids("lf:{routing}:*");
  EXPECT_EQ(ParseErasure(Record(bad_lead)).status().reason(), cv1::INVALID_FIELD);

  kafka::ConsumedMessage other = Record(Valid());
  other.topic = topics::kLeadsScored;
  EXPECT_EQ(ParseErasure(other).status().code(), StatusCode::kInvalidArgument);
}

TEST(ScrubLead, RemovesThePersonButKeepsIdsCompanyAndAccount) {
  leadflow::intake::v1::LeadAccepted lead;
  lead.mutable_meta()->set_lead_id("L-1");
  lead.mutable_meta()->set_account_key("acme.ru");
  lead.mutable_contact()->set_contact_id(kContact);
  lead.mutable_contact()->set_email("ivan@acme.ru");
  lead.mutable_contact()->set_phone("+79991234567");
  lead.mutable_contact()->set_full_name("Ivan Petrov");
  lead.mutable_company()->set_name("Acme");
  (*lead.mutable_answers())["comment"] = "call me at +7 999 123-45-67";
  ScrubLead(&lead);
  EXPECT_EQ(lead.meta().lead_id(), "L-1");
  EXPECT_EQ(lead.meta().account_key(), "acme.ru");
  EXPECT_EQ(lead.company().name(), "Acme");
  EXPECT_FALSE(lead.has_contact());
  EXPECT_TRUE(lead.answers().empty());
  std::string bytes;
  lead.SerializeToString(&bytes);
  EXPECT_EQ(bytes.find("ivan"), std::string::npos);
  EXPECT_EQ(bytes.find("999"), std::string::npos);
}

TEST(ScrubLead, ReplacesAnAccountKeyThatIsThePersonsEmailOrPhone) {
  leadflow::intake::v1::LeadAccepted lead;
  lead.mutable_meta()->set_account_key("ivan@gmail.com");
  lead.mutable_contact()->set_email("ivan@gmail.com");
  ScrubLead(&lead);
  EXPECT_EQ(lead.meta().account_key(), kErasedAccountKey);
  lead.mutable_meta()->set_account_key("+79991234567");
  ScrubLead(&lead);
  EXPECT_EQ(lead.meta().account_key(), kErasedAccountKey);
}

TEST(Consent, AWithdrawalCoversLeadsSubmittedBeforeItOnly) {
  EXPECT_TRUE(WithdrawalCovers(1000, 999));
  EXPECT_TRUE(WithdrawalCovers(1000, 1000));
  EXPECT_FALSE(WithdrawalCovers(1000, 1001));  // new submission: new consent
  EXPECT_FALSE(WithdrawalCovers(0, 5));        // never withdrawn
}

TEST(Consent, WithdrawalOfReadsOnlyConsentWithdrawnEvents) {
  leadflow::engagement::v1::EngagementEvent e;
  e.set_type(leadflow::engagement::v1::EMAIL_OPENED);
  e.set_contact_id(kContact);
  EXPECT_FALSE(WithdrawalOf(e, "", 5).has_value());
  e.set_type(leadflow::engagement::v1::CONSENT_WITHDRAWN);
  *e.mutable_occurred_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(4242);
  auto w = WithdrawalOf(e, "", 5);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->contact_id, kContact);
  EXPECT_EQ(w->at_ms, 4242);
  e.clear_contact_id();
  e.clear_occurred_at();
  w = WithdrawalOf(e, "c-ffffffffffffffff", 77);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->contact_id, "c-ffffffffffffffff");
  EXPECT_EQ(w->at_ms, 77);
  EXPECT_FALSE(WithdrawalOf(e, "", 77).has_value());
}

class RecordingEraser : public ContactEraser {
 public:
  Status Erase(const pv1::ContactErasure& e) override {
    erased.push_back(e.contact_id());
    return next;
  }
  std::vector<std::string> erased;
  Status next;
};

TEST(ErasureHandler, ErasesValidRecordsAndPassesRetriesAndRefusalsToTheLoop) {
  RecordingEraser eraser;
  auto handler = ErasureHandler(eraser);
  std::vector<kafka::OutgoingMessage> out;
  EXPECT_TRUE(handler(Record(Valid()), out).ok());
  eraser.next = Status::Unavailable("redis down");
  EXPECT_EQ(handler(Record(Valid()), out).code(), StatusCode::kUnavailable);
  kafka::ConsumedMessage garbage = Record(Valid());
  garbage.payload = "\xff";
  EXPECT_EQ(handler(garbage, out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(eraser.erased.size(), 2u);  // the malformed one never reached the eraser
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace leadflow::privacy
