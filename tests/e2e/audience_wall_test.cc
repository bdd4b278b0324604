// The customer/prospect wall under randomised traffic, across all four
// service binaries: thousands of contacts over customer and prospect
// accounts, prospects converting to customers mid-track through
// accounts.changes, replies, meetings, unsubscribes (gRPC and
// engagement.events) and topic suppressions interleaved with the touches.
//
// Time: nurture's schedule runs 3600x (one schedule hour per real second) on
// a test copy of config/ whose steps are 2 hours apart, without quiet hours.
// Every "after X" check compares a touch's sent_at (nurture's schedule time
// when its poll started, always before its checks ran) with the schedule time
// of a real instant taken after X was confirmed in nurture's state: a touch
// whose poll began later must have seen X.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "common/kafka/topics.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/nurture/v1/nurture.grpc.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "nurture_e2e_util.h"
#include "common/testing/kafka_test_client.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;
namespace rv1 = leadflow::routing::v1;
namespace ev1 = leadflow::engagement::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kCustomerAccounts = 60;
constexpr int kProspectAccounts = 140;
constexpr int kConvertingAccounts = 28;  // prospects that become customers mid-run
constexpr int kContacts = 2000;
constexpr int kWaves = 4;

struct Contact {
  std::string email;
  std::string domain;
  int wave = 0;
  std::string contact_id;  // known once routed
  std::string lead_id;
};

leadflow::accounts::v1::AccountState Account(const std::string& domain, cv1::Relationship r) {
  leadflow::accounts::v1::AccountState a;
  a.set_account_key(domain);
  a.set_relationship(r);
  a.set_name(domain);
  a.add_domains(domain);
  a.set_owner_rep_id("owner-" + domain);
  a.set_owner_team("key-accounts");
  return a;
}

// config/callers.json: enrolments:read, contacts:unsubscribe, topics:suppress.
constexpr char kMarketingOpsKey[] = "demo-key-marketing-ops";

class Wall {
 public:
  explicit Wall(Stack& stack)
      : stack_(stack),
        stub_(nv1::NurtureService::NewStub(grpc::CreateChannel(
            stack.grpc_address("nurture"), grpc::InsecureChannelCredentials()))) {}

  std::vector<nv1::Enrolment> Enrolments(const std::string& contact_id) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(5));
    ctx.AddMetadata("x-api-key", kMarketingOpsKey);
    nv1::GetEnrolmentRequest req;
    req.set_contact_id(contact_id);
    nv1::GetEnrolmentResponse resp;
    if (!stub_->GetEnrolment(&ctx, req, &resp).ok()) return {};
    return {resp.enrolments().begin(), resp.enrolments().end()};
  }
  bool AllExited(const std::string& contact_id) {
    auto es = Enrolments(contact_id);
    return !es.empty() && std::all_of(es.begin(), es.end(), [](const nv1::Enrolment& e) {
      return e.state() != nv1::ACTIVE_ENROLMENT;
    });
  }
  grpc::Status Unsubscribe(const std::string& email) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(5));
    ctx.AddMetadata("x-api-key", kMarketingOpsKey);
    nv1::UnsubscribeRequest req;
    req.set_email(email);
    nv1::UnsubscribeResponse resp;
    return stub_->Unsubscribe(&ctx, req, &resp);
  }
  grpc::Status Suppress(const std::string& account, const std::string& topic) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(5));
    ctx.AddMetadata("x-api-key", kMarketingOpsKey);
    nv1::SuppressTopicRequest req;
    req.set_account_key(account);
    req.set_topic(topic);
    req.set_requested_by("owner-" + account);
    nv1::SuppressTopicResponse resp;
    return stub_->SuppressTopic(&ctx, req, &resp);
  }
  // nurture's registry view says CUSTOMER for this account key.
  bool NurtureSeesCustomer(const std::string& domain) {
    auto v = stack_.redis().Command({"GET", "lf:{nurture}:acct:" + domain});
    leadflow::accounts::v1::AccountState a;
    return v && *v != "(nil)" && a.ParseFromString(*v) && a.relationship() == cv1::CUSTOMER;
  }
  bool Unsubscribed(const std::string& contact_id) {
    return stack_.redis().Command({"SISMEMBER", "lf:{nurture}:unsub", contact_id}).value_or("") ==
           "1";
  }

 private:
  Stack& stack_;
  std::unique_ptr<nv1::NurtureService::Stub> stub_;
};

TEST(AudienceWallE2E, RandomisedTrafficNeverCrossesTheWall) {
  std::string error;
  auto dir = testing::TempDir::Create("leadflow-wall-config", &error);
  ASSERT_TRUE(dir) << error;
  NurtureTiming timing;
  const auto cfg = WriteTestConfig(*dir, timing, &error);
  ASSERT_TRUE(error.empty()) << error;
  std::map<std::string, cv1::Relationship> track_audience, content_audience;
  for (const auto& t : cfg.tracks()) track_audience[t.track_id()] = t.audience();
  for (const auto& c : cfg.catalogue()) content_audience[c.content_id()] = c.audience();

  StackOptions opts;
  opts.config_dir = dir->path();
  opts.env["nurture"] = {{"LEADFLOW_NURTURE_TIME_SCALE", "3600"}};
  auto stack = Stack::Start(opts, &error);
  ASSERT_TRUE(stack) << error;
  const ScheduleTime sched = ScheduleTime::Of(*stack);
  testing::KafkaTestClient kafka(stack->bootstrap());
  Wall wall(*stack);
  std::mt19937 rng(20261123);

  // The CRM: customer accounts, known to every registry view before any lead.
  std::vector<std::string> customers, prospects;
  for (int i = 0; i < kCustomerAccounts; ++i) customers.push_back("cust" + std::to_string(i) + ".ru");
  for (int i = 0; i < kProspectAccounts; ++i) prospects.push_back("prosp" + std::to_string(i) + ".ru");
  for (const auto& d : customers) {
    ASSERT_TRUE(kafka.ProduceSync(topics::kAccountsChanges, d,
                                  Account(d, cv1::CUSTOMER).SerializeAsString())
                    .ok);
  }
  for (const std::string ns : {"intake", "nurture"}) {
    ASSERT_TRUE(WaitFor(
        [&] {
          auto n = stack->redis().Command({"SCARD", "lf:{" + ns + "}:accts"});
          return n && *n == std::to_string(kCustomerAccounts);
        },
        seconds(30)))
        << ns << " registry view incomplete";
  }
  std::this_thread::sleep_for(milliseconds(500));  // routing's view too

  std::vector<std::string> converting(prospects.begin(), prospects.begin() + kConvertingAccounts);
  const std::set<std::string> converting_set(converting.begin(), converting.end());
  const std::set<std::string> customer_set(customers.begin(), customers.end());

  const std::vector<std::string> titles = {"генеральный директор", "ИТ-директор", "менеджер",
                                           "инженер", "финансовый директор", "аналитик"};
  const std::vector<std::string> intents = {"download_whitepaper", "case_study",
                                            "webinar_registration", "compare"};
  std::vector<Contact> contacts(kContacts);
  std::map<std::string, size_t> by_email;
  for (int i = 0; i < kContacts; ++i) {
    Contact& c = contacts[static_cast<size_t>(i)];
    const bool customer = std::uniform_int_distribution<int>(0, 9)(rng) < 3;
    const auto& pool = customer ? customers : prospects;
    c.domain = pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng)];
    c.email = "c" + std::to_string(i) + "@" + c.domain;
    c.wave = i * kWaves / kContacts;
    by_email[c.email] = static_cast<size_t>(i);
  }

  // Facts the assertions check touches against (schedule-time bounds).
  std::map<std::string, int64_t> converted_at;      // domain -> after nurture saw it
  std::map<std::string, int64_t> convert_published;  // domain -> before publishing
  std::map<std::string, int64_t> silenced_at;        // contact -> unsubscribed or exited
  std::map<std::pair<std::string, std::string>, int64_t> suppressed_at;  // (account, topic)
  std::set<std::string> exit_contacts;
  size_t routed = 0;

  auto read_all = [&](const std::string& topic) -> std::vector<testing::KafkaMessage> {
    const int64_t n = kafka.CountMessages(topic, seconds(20));
    if (n <= 0) return {};
    return kafka.ConsumeAll(topic, static_cast<size_t>(n), seconds(20));
  };
  auto learn_contacts = [&](size_t expected) {
    std::vector<testing::KafkaMessage> nurture, inbound;
    WaitFor(
        [&] {
          nurture = read_all(topics::kLeadsNurture);
          inbound = read_all(topics::kAccountsInbound);
          const size_t assigned = read_all(topics::kLeadsAssigned).size();
          if (nurture.size() + inbound.size() + assigned >= expected) return true;
          std::this_thread::sleep_for(milliseconds(300));
          return false;
        },
        seconds(40));
    auto learn = [&](const leadflow::scoring::v1::LeadScored& scored) {
      const auto& lead = scored.lead();
      auto it = by_email.find(lead.contact().email());
      if (it == by_email.end()) return;
      contacts[it->second].contact_id = lead.contact().contact_id();
      contacts[it->second].lead_id = lead.meta().lead_id();
    };
    for (const auto& m : nurture) {
      rv1::NurtureRequested n;
      if (n.ParseFromString(m.value)) learn(n.scored());
    }
    for (const auto& m : inbound) {
      rv1::CustomerInbound n;
      if (n.ParseFromString(m.value)) learn(n.scored());
    }
    return nurture.size() + inbound.size();
  };

  for (int wave = 0; wave < kWaves; ++wave) {
    for (const auto& c : contacts) {
      if (c.wave != wave) continue;
      const std::string title = titles[std::uniform_int_distribution<size_t>(0, 5)(rng)];
      const std::string intent = intents[std::uniform_int_distribution<size_t>(0, 3)(rng)];
      ASSERT_TRUE(kafka.ProduceSync(topics::kLeadsSubmitted, c.email,
                                    LeadJson(c.email, c.domain, title, intent),
                                    {{topics::kContentTypeHeader, "application/json"}})
                      .ok);
    }
    routed = learn_contacts(static_cast<size_t>((wave + 1) * kContacts / kWaves));
    std::this_thread::sleep_for(milliseconds(1500));  // let tracks get going

    // Prospects become customers mid-track.
    for (int k = 0; k < kConvertingAccounts / kWaves; ++k) {
      const std::string& d = converting[static_cast<size_t>(wave * (kConvertingAccounts / kWaves) + k)];
      convert_published[d] = sched.At(RealNowMs());
      ASSERT_TRUE(kafka.ProduceSync(topics::kAccountsChanges, d,
                                    Account(d, cv1::CUSTOMER).SerializeAsString())
                      .ok);
    }
    for (const auto& [d, t] : convert_published) {
      if (converted_at.count(d)) continue;
      ASSERT_TRUE(WaitFor([&] { return wall.NurtureSeesCustomer(d); }, seconds(20))) << d;
      converted_at[d] = sched.At(RealNowMs());
    }

    // Contacts of this wave already enrolled, in random order.
    std::vector<size_t> enrolled;
    for (size_t i = 0; i < contacts.size(); ++i) {
      if (contacts[i].wave == wave && !contacts[i].contact_id.empty()) enrolled.push_back(i);
    }
    std::shuffle(enrolled.begin(), enrolled.end(), rng);
    size_t next = 0;
    auto pick = [&](bool stable_account) -> Contact* {
      while (next < enrolled.size()) {
        Contact& c = contacts[enrolled[next++]];
        if (silenced_at.count(c.contact_id)) continue;
        if (stable_account && converting_set.count(c.domain)) continue;
        if (wall.Enrolments(c.contact_id).empty()) continue;
        return &c;
      }
      return nullptr;
    };
    // Unsubscribes through gRPC...
    for (int k = 0; k < 8; ++k) {
      Contact* c = pick(false);
      if (!c) break;
      auto st = wall.Unsubscribe(c->email);
      ASSERT_TRUE(st.ok()) << st.error_message();
      silenced_at[c->contact_id] = sched.At(RealNowMs());
    }
    // ...and through engagement.events (unsubscribe, consent withdrawn), and
    // replies and meetings booked.
    for (int k = 0; k < 16; ++k) {
      Contact* c = pick(k >= 8);
      if (!c) break;
      ev1::EngagementEvent ev;
      ev.set_event_id("wall-" + std::to_string(wave) + "-" + std::to_string(k));
      ev.set_contact_id(c->contact_id);
      ev.set_lead_id(c->lead_id);
      ev.set_account_key(c->domain);
      const ev1::EngagementType types[] = {ev1::UNSUBSCRIBED, ev1::CONSENT_WITHDRAWN,
                                           ev1::REPLIED, ev1::MEETING_BOOKED};
      ev.set_type(types[(k / 4) % 4]);
      ASSERT_TRUE(
          kafka.ProduceSync(topics::kEngagementEvents, c->contact_id, ev.SerializeAsString()).ok);
      const bool unsub = ev.type() == ev1::UNSUBSCRIBED || ev.type() == ev1::CONSENT_WITHDRAWN;
      const std::string id = c->contact_id;
      ASSERT_TRUE(WaitFor([&] { return unsub ? wall.Unsubscribed(id) : wall.AllExited(id); },
                          seconds(20)))
          << "exit not applied for " << ev1::EngagementType_Name(ev.type());
      silenced_at[id] = sched.At(RealNowMs());
      if (!unsub) exit_contacts.insert(id);
    }
    // Account managers stop a topic for an account: one request each.
    for (int k = 0; k < 3; ++k) {
      const auto& pool = k < 2 ? customers : prospects;
      const std::string d = pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng)];
      const std::string topic = k == 0 ? "analytics" : (k == 1 ? "satisfaction" : "analytics");
      auto st = wall.Suppress(d, topic);
      ASSERT_TRUE(st.ok()) << st.error_message();
      suppressed_at.emplace(std::make_pair(d, topic), sched.At(RealNowMs()));
    }
  }

  // Let every track play out.
  ASSERT_TRUE(WaitFor(
      [&] {
        return stack->redis().Command({"ZCARD", "lf:{nurture}:due"}).value_or("") == "0" &&
               stack->redis().Command({"HLEN", "lf:{nurture}:inflight"}).value_or("") == "0";
      },
      seconds(60)))
      << "nurture did not drain\n" << stack->Logs("nurture");

  const auto touch_msgs = read_all(topics::kNurtureTouches);
  ASSERT_FALSE(touch_msgs.empty());
  const auto note_msgs = read_all(topics::kAccountsNotifications);
  std::map<std::string, nv1::AccountNotification> notes;
  for (const auto& m : note_msgs) {
    nv1::AccountNotification n;
    ASSERT_TRUE(n.ParseFromString(m.value));
    notes[n.touch_id()] = n;
  }

  std::set<std::string> ids;
  int prospect_to_customer = 0, customer_to_prospect = 0, after_silence = 0, after_suppression = 0;
  int duplicates = 0, prospect_touches = 0, customer_touches = 0, missing_notes = 0;
  int mixed_content = 0;
  std::map<std::string, std::set<cv1::Relationship>> converted_contacts;
  for (const auto& m : touch_msgs) {
    nv1::Touch t;
    ASSERT_TRUE(t.ParseFromString(m.value));
    EXPECT_EQ(m.key, t.contact_id());
    if (!ids.insert(t.touch_id()).second) ++duplicates;
    const int64_t sent = Millis(t.sent_at());
    const std::string& d = t.account_key();
    if (t.audience() == cv1::PROSPECT) ++prospect_touches;
    if (t.audience() == cv1::CUSTOMER) ++customer_touches;
    if (track_audience[t.track_id()] != t.audience() ||
        content_audience[t.content_id()] != t.audience()) {
      ++mixed_content;
    }
    if (customer_set.count(d) && t.audience() != cv1::CUSTOMER) ++prospect_to_customer;
    if (!customer_set.count(d) && !converting_set.count(d) && t.audience() != cv1::PROSPECT) {
      ++customer_to_prospect;
    }
    if (converting_set.count(d)) {
      auto c = converted_at.find(d);
      if (t.audience() == cv1::PROSPECT && c != converted_at.end() && sent > c->second) {
        ++prospect_to_customer;
      }
      auto p = convert_published.find(d);
      if (t.audience() == cv1::CUSTOMER && (p == convert_published.end() || sent < p->second)) {
        ++customer_to_prospect;
      }
      converted_contacts[t.contact_id()].insert(t.audience());
    }
    if (auto s = silenced_at.find(t.contact_id()); s != silenced_at.end() && sent > s->second) {
      ++after_silence;
    }
    if (auto s = suppressed_at.find({d, t.topic()}); s != suppressed_at.end() && sent > s->second) {
      ++after_suppression;
    }
    if (t.audience() == cv1::CUSTOMER) {
      auto n = notes.find(t.touch_id());
      if (n == notes.end() || n->second.owner_rep_id() != "owner-" + d) ++missing_notes;
    }
  }
  int moved = 0;
  for (const auto& [c, audiences] : converted_contacts) moved += audiences.size() == 2 ? 1 : 0;

  EXPECT_EQ(prospect_to_customer, 0) << "prospect-track touches to customer contacts";
  EXPECT_EQ(customer_to_prospect, 0) << "customer-track touches to prospect contacts";
  EXPECT_EQ(mixed_content, 0) << "touch audience differs from its track's or content's";
  EXPECT_EQ(after_silence, 0) << "touches after an unsubscribe or exit";
  EXPECT_EQ(after_suppression, 0) << "touches on a suppressed topic";
  EXPECT_EQ(duplicates, 0) << "duplicate touch ids";
  EXPECT_EQ(missing_notes, 0) << "customer touches without an owner notification";
  const std::string metrics = HttpGet(stack->ports("nurture").admin, "/metrics");
  EXPECT_NE(metrics.find("leadflow_audience_violations_total 0"), std::string::npos) << metrics;

  // The run was meaningful: most contacts were routed and touched, both
  // audiences were served, and converted contacts moved tracks.
  EXPECT_GE(routed, static_cast<size_t>(kContacts * 9 / 10));
  EXPECT_GE(static_cast<int64_t>(ids.size()), kContacts);
  EXPECT_GT(prospect_touches, 0);
  EXPECT_GT(customer_touches, 0);
  EXPECT_GT(moved, 0) << "no converted contact got both prospect and customer touches";
  EXPECT_GE(silenced_at.size(), 60u);
  EXPECT_NE(metrics.find("reason=\"became_customer\""), std::string::npos);
  std::printf("wall: %zu contacts routed, %zu touches (%d prospect, %d customer), %zu notes, "
              "%d converted contacts moved, %zu silenced, %zu suppressions\n",
              routed, ids.size(), prospect_touches, customer_touches, notes.size(), moved,
              silenced_at.size(), suppressed_at.size());
  for (const auto& name : Stack::ServiceNames()) {
    EXPECT_EQ(stack->Terminate(name), 0) << "leadflow-" << name << "\n" << stack->Logs(name);
  }
}

}  // namespace
}  // namespace leadflow::e2e
