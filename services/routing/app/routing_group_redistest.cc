// Two routing instances in one consumer group over devkafka and a real
// redis-server: 5,000 MQLs (some delivered twice) against 3 reps of limited
// capacity, while sales close leads and the schedulers drain the queue.
// No rep is ever over capacity and every lead is claimed exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "common/kafka/consumer.h"
#include "common/kafka/consumer_loop.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "routing/app/feedback_processor.h"
#include "routing/app/routing_engine.h"
#include "routing/app/routing_keys.h"
#include "routing/app/routing_scheduler.h"
#include "routing/testing/routing_test_util.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/kafka_test_client.h"
#include "common/testing/redis_server.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kLeads = 5000;
constexpr int kDuplicates = 300;  // delivered twice: real redelivery through Kafka
constexpr int kMaxOpen = 40;
constexpr int kCloses = 300;
const std::vector<std::string> kReps = {"ka-a", "ka-b", "ka-c"};

std::string LeadId(int i) { return "G" + std::to_string(i); }

// One routing process: its own Redis connection, producer, consumer (same
// group as the other), round-robin state and scheduler.
struct Instance {
  metrics::Registry registry;
  metrics::ServiceMetrics service_metrics{registry, "routing"};
  std::unique_ptr<redis::Client> redis;
  std::unique_ptr<RoutingStore> store;
  std::unique_ptr<RoutingMetrics> metrics;
  AssignmentBroadcaster broadcaster;
  std::unique_ptr<kafka::Producer> producer;
  std::unique_ptr<RoutingEngine> engine;
  std::unique_ptr<RoutingScheduler> scheduler;
  std::unique_ptr<FeedbackProcessor> feedback;
  std::unique_ptr<kafka::ConsumerLoop> loop;
  std::atomic<bool> stop{false};
  std::thread loop_thread, scheduler_thread;

  std::string Start(const std::string& bootstrap, const std::string& redis_url,
                    std::shared_ptr<const RoutingPolicy> policy, const Clock& clock) {
    auto client = redis::Client::Connect({redis_url});
    if (!client.ok()) return client.status().message();
    redis = std::move(*client);
    // Routing's state is complete, as the rebuild from empty topics leaves it.
    if (auto m = redis->Run({"SET", RoutingStateKey(), "test"}); !m.ok())
      return m.status().message();
    store = std::make_unique<RoutingStore>(*redis);
    metrics = std::make_unique<RoutingMetrics>(service_metrics);
    kafka::ProducerOptions popts;
    popts.brokers = bootstrap;
    auto p = kafka::MakeKafkaProducer(popts, &service_metrics);
    if (!p.ok()) return p.status().message();
    producer = std::move(*p);
    engine = std::make_unique<RoutingEngine>(policy, *store, broadcaster, *metrics, clock);
    scheduler = std::make_unique<RoutingScheduler>(policy, engine->rep_picker(), *store, *producer,
                                                   broadcaster, *metrics, clock);
    feedback = std::make_unique<FeedbackProcessor>(policy, *store, *metrics, clock,
                                                   [s = scheduler.get()] { s->Wake(); });
    kafka::ConsumerOptions copts;
    copts.brokers = bootstrap;
    copts.group_id = "leadflow-routing-main";
    copts.topics = {topics::kLeadsScored};
    auto c = kafka::MakeKafkaConsumer(copts, &service_metrics);
    if (!c.ok()) return c.status().message();
    kafka::ConsumerLoopOptions lopts;
    lopts.stage = leadflow::common::v1::ROUTING;
    lopts.name = "routing:main";
    loop = std::make_unique<kafka::ConsumerLoop>(std::move(*c), *producer, engine->BatchHandler(),
                                                 &service_metrics, clock, lopts);
    loop_thread = std::thread([this] { loop->Run(stop); });
    scheduler_thread = std::thread([this] { scheduler->Run(stop); });
    return "";
  }

  void Stop() {
    stop = true;
    if (loop_thread.joinable()) loop_thread.join();
    if (scheduler_thread.joinable()) scheduler_thread.join();
  }
  ~Instance() { Stop(); }
};

TEST(RoutingConsumerGroup, TwoInstancesNeverExceedCapacityAndClaimEachLeadOnce) {
  std::string error;
  testing::DevKafkaOptions kopts;
  kopts.quiet = true;
  auto kafka = testing::DevKafka::Start(kopts, &error);
  ASSERT_NE(kafka, nullptr) << error;
  auto redis_server = testing::RedisServer::Start({}, &error);
  ASSERT_NE(redis_server, nullptr) << error;

  auto rules = testutil::SampleRules();
  for (auto& rep : *rules.mutable_teams(0)->mutable_reps()) {
    rep.set_max_open_leads(kMaxOpen);
    rep.set_daily_cap(100000);
  }
  rules.mutable_scheduler()->set_tick_ms(50);
  auto policy = testutil::MustPolicy(rules);
  FakeClock clock(testutil::FridayNoonMoscow().time_since_epoch() / milliseconds(1));

  // The MQLs, the first kDuplicates twice.
  {
    metrics::Registry reg;
    metrics::ServiceMetrics sm(reg, "test");
    kafka::ProducerOptions popts;
    popts.brokers = kafka->bootstrap();
    auto producer = kafka::MakeKafkaProducer(popts, &sm);
    ASSERT_TRUE(producer.ok()) << producer.status().message();
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < (round == 0 ? kLeads : kDuplicates); ++i) {
        auto s = testutil::Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
        s.mutable_lead()->mutable_meta()->set_lead_id(LeadId(i));
        s.mutable_lead()->mutable_meta()->set_account_key("acc" + std::to_string(i % 97) + ".ru");
        kafka::OutgoingMessage m;
        m.topic = topics::kLeadsScored;
        m.key = s.lead().meta().account_key();
        s.SerializeToString(&m.payload);
        ASSERT_TRUE((*producer)->Produce(m).ok());
      }
    }
    ASSERT_TRUE((*producer)->Flush(seconds(20)).ok());
  }

  Instance a, b;
  ASSERT_EQ(a.Start(kafka->bootstrap(), redis_server->url(), policy, clock), "");
  ASSERT_EQ(b.Start(kafka->bootstrap(), redis_server->url(), policy, clock), "");

  auto probe = redis::Client::Connect({redis_server->url()});
  ASSERT_TRUE(probe.ok());
  auto num = [&](const std::string& key) {
    auto r = (*probe)->Run({"GET", key});
    return (r.ok() && !r->is_nil()) ? std::stoll(r->str) : 0LL;
  };

  // Watch every rep's load the whole time.
  std::atomic<bool> done{false};
  std::map<std::string, long long> max_seen;
  std::thread monitor([&] {
    auto c = redis::Client::Connect({redis_server->url()});
    if (!c.ok()) return;
    while (!done) {
      auto r = (*c)->Run(
          {"MGET", "lf:{routing}:open:ka-a", "lf:{routing}:open:ka-b", "lf:{routing}:open:ka-c"});
      if (r.ok() && r->elements.size() == 3) {
        for (size_t i = 0; i < 3; ++i) {
          const auto& e = r->elements[i];
          const long long v = e.is_nil() ? 0 : std::stoll(e.str);
          max_seen[kReps[i]] = std::max(max_seen[kReps[i]], v);
        }
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
  });

  // Sales close leads meanwhile, freeing capacity the schedulers hand on.
  std::atomic<int> closed{0};
  std::thread closer([&] {
    auto c = redis::Client::Connect({redis_server->url()});
    if (!c.ok()) return;
    RoutingStore store(**c);
    int turn = 0;
    const auto deadline = std::chrono::steady_clock::now() + seconds(40);
    while (closed < kCloses && std::chrono::steady_clock::now() < deadline) {
      const std::string& rep = kReps[turn++ % 3];
      auto open = store.rep_loads.OpenLeads(rep);
      if (open.ok() && !open->empty()) {
        rv1::SalesFeedback fb;
        fb.set_lead_id(open->front());
        fb.set_rep_id(rep);
        fb.set_kind(rv1::CLOSE);
        fb.set_outcome(rv1::WON);
        auto r = (turn % 2 ? a.feedback : b.feedback)->Apply(fb);
        if (r.ok() && !r->redelivered) ++closed;
      }
      std::this_thread::sleep_for(milliseconds(2));
    }
  });

  // Every lead gets a recorded decision.
  std::vector<std::string> decision_keys = {"EXISTS"};
  for (int i = 0; i < kLeads; ++i) decision_keys.push_back("lf:{routing}:decision:" + LeadId(i));
  const auto deadline = std::chrono::steady_clock::now() + seconds(40);
  long long decided = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = (*probe)->Run(decision_keys);
    decided = r.ok() ? r->integer : 0;
    if (decided == kLeads) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(decided, kLeads);
  closer.join();
  EXPECT_EQ(closed, kCloses);
  // Let the schedulers hand every freed slot on.
  auto total_open = [&] {
    long long t = 0;
    for (const auto& rep : kReps) t += num("lf:{routing}:open:" + rep);
    return t;
  };
  const auto drain_deadline = std::chrono::steady_clock::now() + seconds(10);
  while (total_open() < 3 * kMaxOpen && std::chrono::steady_clock::now() < drain_deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  a.Stop();
  b.Stop();
  done = true;
  monitor.join();

  // Both members of the group did part of the work.
  auto decisions = [](Instance& i) {
    double n = 0;
    for (const char* outcome : {"ASSIGNED", "QUEUED"}) {
      n += i.registry
               .GetCounter(
                   "leadflow_routing_decisions_total", "",
                   {{"outcome", outcome}, {"team", "key-accounts"}, {"segment", "ENTERPRISE"}})
               .Value();
    }
    return n;
  };
  std::printf("decisions: instance a %.0f, instance b %.0f\n", decisions(a), decisions(b));
  EXPECT_GT(decisions(a), 0);
  EXPECT_GT(decisions(b), 0);

  // Never over capacity, at any moment.
  for (const auto& rep : kReps) {
    EXPECT_LE(max_seen[rep], kMaxOpen) << rep;
    EXPECT_EQ(num("lf:{routing}:open:" + rep), kMaxOpen) << rep;
    auto card = (*probe)->Run({"SCARD", "lf:{routing}:open-set:" + rep});
    ASSERT_TRUE(card.ok());
    EXPECT_EQ(card->integer, kMaxOpen) << rep;
  }

  // Each lead claimed exactly once: every claim bumps the rep's daily count,
  // and their sum equals the number of leads whose record says ASSIGNED.
  int assigned = 0, queued = 0;
  for (int i = 0; i < kLeads; ++i) {
    auto r = (*probe)->Run({"GET", "lf:{routing}:decision:" + LeadId(i)});
    ASSERT_TRUE(r.ok() && !r->is_nil());
    rv1::LeadAssigned rec;
    ASSERT_TRUE(rec.ParseFromString(r->str));
    if (rec.decision().outcome() == rv1::ASSIGNED) {
      ++assigned;
    } else {
      ASSERT_EQ(rec.decision().outcome(), rv1::QUEUED) << LeadId(i);
      ++queued;
    }
  }
  long long claims = 0;
  for (const auto& rep : kReps) {
    claims += num("lf:{routing}:daily:" + RepLoadStore::DayKey(clock.Now()) + ":" + rep);
  }
  EXPECT_EQ(claims, assigned);
  EXPECT_EQ(assigned, 3 * kMaxOpen + kCloses);
  auto llen = (*probe)->Run({"ZCARD", "lf:{routing}:queue:key-accounts"});
  ASSERT_TRUE(llen.ok());
  EXPECT_EQ(llen->integer, queued);

  // leads.assigned agrees: no lead was ever given to two reps.
  testing::KafkaTestClient reader(kafka->bootstrap());
  const int64_t count = reader.CountMessages(topics::kLeadsAssigned, seconds(20));
  // Every lead's first decision, plus re-emitted duplicates (except of leads
  // already closed) and queue drains.
  ASSERT_GT(count, kLeads);
  auto events = reader.ConsumeAll(topics::kLeadsAssigned, static_cast<size_t>(count), seconds(20));
  ASSERT_EQ(static_cast<int64_t>(events.size()), count);
  std::map<std::string, std::set<std::string>> reps_of;
  for (const auto& m : events) {
    rv1::LeadAssigned e;
    ASSERT_TRUE(e.ParseFromString(m.value));
    if (e.decision().outcome() == rv1::ASSIGNED) {
      reps_of[e.scored().lead().meta().lead_id()].insert(e.decision().rep_id());
    }
  }
  EXPECT_EQ(static_cast<int>(reps_of.size()), assigned);
  for (const auto& [lead, reps] : reps_of) EXPECT_EQ(reps.size(), 1u) << lead;
}

}  // namespace
}  // namespace leadflow::routing
