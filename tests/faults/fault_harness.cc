#include "tests/faults/fault_harness.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>
#include <regex>
#include <sstream>

#include "common/kafka/topics.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/intake/v1/intake.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"

namespace leadflow::faults {
namespace {

namespace cv1 = leadflow::common::v1;
namespace iv1 = leadflow::intake::v1;
namespace rv1 = leadflow::routing::v1;
namespace sv1 = leadflow::scoring::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kCustomerAccounts = 10;

std::string CustomerDomain(int k) { return "cust" + std::to_string(k) + ".faults.ru"; }

LeadKind KindOf(int i) {
  const int r = (i * 37) % 100;  // a fixed shuffle of the mix
  if (r < 55) return LeadKind::kNurture;
  if (r < 65) return LeadKind::kMidMarket;
  if (r < 85) return LeadKind::kCustomer;
  if (r < 92) return LeadKind::kDisqualified;
  return LeadKind::kInvalid;
}

std::string Json(const std::string& email, const std::string& company, const std::string& title,
                 const std::string& industry, int64_t headcount, int64_t revenue,
                 const std::string& intent, int64_t deal, const std::string& budget,
                 const std::string& need, const std::string& timeline) {
  std::ostringstream o;
  o << R"({"source_id":"web-form-main","email":")" << email << R"(","company_name":")" << company
    << R"(","job_title":")" << title << R"(","industry":")" << industry
    << R"(","headcount":)" << headcount << R"(,"annual_revenue_rub":")" << revenue
    << R"(","region":"RU-MOW","intent":")" << intent << R"(")";
  if (deal > 0) o << R"(,"expected_deal_rub":")" << deal << R"(")";
  o << R"(,"consent":true,"answers":{"budget":")" << budget << R"(","need":")" << need
    << R"(","timeline":")" << timeline << R"("}})";
  return o.str();
}

// The email a final-output record is about, or "" if it cannot be told.
std::string EmailOfRejected(const leadflow::common::v1::LeadRejected& r) {
  const std::string& raw = r.original();
  if (!raw.empty() && raw[0] == '{') {
    std::smatch m;
    if (std::regex_search(raw, m, std::regex(R"re("email"\s*:\s*"([^"]*)")re"))) return m[1];
    return "";
  }
  sv1::LeadScored scored;
  if (scored.ParseFromString(raw) && !scored.lead().contact().email().empty()) {
    return scored.lead().contact().email();
  }
  iv1::LeadAccepted accepted;
  if (accepted.ParseFromString(raw)) return accepted.contact().email();
  return "";
}

struct Output {
  std::string topic;
  std::string lead_id;
  std::string detail;  // outcome/rep
  std::string Signature() const { return topic + "|" + lead_id + "|" + detail; }
};

// Every record of `topic`: counted up to the end of each partition, then
// read back. nullopt when the count could not reach the end in time.
std::optional<std::vector<testing::KafkaMessage>> ReadTopic(testing::KafkaTestClient& kafka,
                                                           const char* topic) {
  const int64_t n = kafka.CountMessages(topic, seconds(20));
  if (n < 0) return std::nullopt;
  return kafka.ConsumeAll(topic, static_cast<size_t>(n), seconds(20));
}

// The warn and error lines of a service's JSON log.
std::vector<std::string> WarningLines(const e2e::Stack& stack, const std::string& service) {
  std::istringstream logs(stack.FullLogs(service));
  std::vector<std::string> lines;
  for (std::string line; std::getline(logs, line);) {
    if (line.find("\"level\":\"warn\"") != std::string::npos ||
        line.find("\"level\":\"error\"") != std::string::npos) {
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

}  // namespace

PlannedLead MakeLead(int i, const std::string& run) {
  PlannedLead l;
  l.kind = KindOf(i);
  const std::string n = run + "-" + std::to_string(i);
  switch (l.kind) {
    case LeadKind::kNurture:
      l.email = "n" + n + "@smallco" + std::to_string(i % 50) + ".faults.ru";
      l.json = Json(l.email, "Small Co", "специалист", "it_services", 40, 300'000'000,
                    "download_whitepaper", 0, "none", "just_studying", "over_12m");
      break;
    case LeadKind::kMidMarket:
      l.email = "m" + n + "@midco" + std::to_string(i % 40) + ".faults.ru";
      l.json = Json(l.email, "Mid Co", "генеральный директор", "manufacturing", 800,
                    5'000'000'000, "request_proposal", 30'000'000, "20_50m", "urgent", "1_3m");
      break;
    case LeadKind::kCustomer:
      l.email = "c" + n + "@" + CustomerDomain(i % kCustomerAccounts);
      l.json = Json(l.email, "Customer", "менеджер", "banking", 5000, 90'000'000'000,
                    "download_whitepaper", 0, "none", "exploring", "6_12m");
      break;
    case LeadKind::kDisqualified:
      l.email = "d" + n + "@casino" + std::to_string(i % 20) + ".faults.ru";
      l.json = Json(l.email, "Casino", "менеджер", "gambling", 300, 1'000'000'000,
                    "download_whitepaper", 0, "none", "exploring", "6_12m");
      break;
    case LeadKind::kInvalid:
      l.email = "x" + n + "-not-an-email";
      l.json = Json(l.email, "Broken", "менеджер", "it_services", 40, 300'000'000,
                    "download_whitepaper", 0, "none", "exploring", "6_12m");
      break;
  }
  return l;
}

std::vector<PlannedLead> MakeLeads(int count, const std::string& run) {
  std::vector<PlannedLead> out;
  out.reserve(count);
  for (int i = 0; i < count; ++i) out.push_back(MakeLead(i, run));
  return out;
}

bool WaitUntil(const std::function<bool()>& cond, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return cond();
}

bool PublishRegistry(e2e::Stack& stack, testing::KafkaTestClient& kafka) {
  for (int k = 0; k < kCustomerAccounts; ++k) {
    leadflow::accounts::v1::AccountState a;
    a.set_account_key(CustomerDomain(k));
    a.set_relationship(cv1::CUSTOMER);
    a.set_name("Customer " + std::to_string(k));
    a.add_domains(CustomerDomain(k));
    a.set_owner_rep_id("owner-" + std::to_string(k));
    a.set_owner_team("key-accounts");
    if (!kafka.ProduceSync(topics::kAccountsChanges, a.account_key(), a.SerializeAsString()).ok) {
      return false;
    }
  }
  return WaitUntil(
      [&] {
        auto n = stack.redis().Command({"SCARD", "lf:{intake}:accts"});
        return n && *n == std::to_string(kCustomerAccounts);
      },
      seconds(20));
}

LeadProducer::LeadProducer(std::string bootstrap, const std::vector<PlannedLead>& leads,
                           int per_second, int threads, std::vector<int32_t> partitions)
    : leads_(leads),
      // One request in flight per connection: devkafka (librdkafka's mock
      // cluster) does not check an idempotent producer's sequence numbers,
      // so with several in flight a request queued behind one that failed
      // with an injected error is accepted, and librdkafka then counts the
      // failed one as delivered too (it appears to ack the lower sequence
      // implicitly, which a real broker makes safe by refusing the
      // out-of-order request). See docs/reliability.md, Known limits.
      client_(std::make_unique<testing::KafkaTestClient>(
          std::move(bootstrap), testing::KafkaConfig{{"message.timeout.ms", "60000"},
                                                     {"enable.idempotence", "true"},
                                                     {"max.in.flight.requests.per.connection", "1"}})) {
  for (int t = 0; t < threads; ++t) {
    threads_.emplace_back([this, per_second, partitions] {
      const auto start = std::chrono::steady_clock::now();
      for (;;) {
        const int i = next_.fetch_add(1);
        if (i >= static_cast<int>(leads_.size()) || stop_) return;
        if (per_second > 0) {
          std::this_thread::sleep_until(start +
                                        milliseconds(static_cast<int64_t>(i) * 1000 / per_second));
        }
        while (!stop_) {
          auto r = client_->ProduceSync(topics::kLeadsSubmitted, leads_[i].email, leads_[i].json,
                                        {{topics::kContentTypeHeader, "application/json"}},
                                        partitions.empty()
                                            ? testing::kAnyPartition
                                            : partitions[static_cast<size_t>(i) % partitions.size()],
                                        seconds(60));
          if (r.ok) break;
          std::this_thread::sleep_for(milliseconds(200));
        }
        ++produced_;
      }
    });
  }
}

LeadProducer::~LeadProducer() {
  stop_ = true;
  for (auto& t : threads_) t.join();
}

bool LeadProducer::Wait(seconds timeout) {
  return WaitUntil([this] { return done(); }, timeout);
}

Tally Collect(testing::KafkaTestClient& kafka, const std::vector<PlannedLead>& leads) {
  std::map<std::string, std::vector<Output>> by_email;
  auto read = [&](const char* topic) {
    return ReadTopic(kafka, topic).value_or(std::vector<testing::KafkaMessage>{});
  };
  Tally t;
  for (const auto& m : read(topics::kLeadsAssigned)) {
    rv1::LeadAssigned a;
    if (!a.ParseFromString(m.value)) continue;
    const auto& lead = a.scored().lead();
    by_email[lead.contact().email()].push_back(
        {topics::kLeadsAssigned, lead.meta().lead_id(),
         rv1::RoutingOutcome_Name(a.decision().outcome()) + "/" + a.decision().rep_id()});
    if (!a.decision().rep_id().empty()) {
      t.rep_leads[a.decision().rep_id()].insert(lead.meta().lead_id());
    }
  }
  for (const auto& m : read(topics::kLeadsNurture)) {
    rv1::NurtureRequested r;
    if (!r.ParseFromString(m.value)) continue;
    const auto& lead = r.scored().lead();
    by_email[lead.contact().email()].push_back({topics::kLeadsNurture, lead.meta().lead_id(), ""});
  }
  for (const auto& m : read(topics::kAccountsInbound)) {
    rv1::CustomerInbound c;
    if (!c.ParseFromString(m.value)) continue;
    const auto& lead = c.scored().lead();
    by_email[lead.contact().email()].push_back(
        {topics::kAccountsInbound, lead.meta().lead_id(), c.account_owner()});
  }
  for (const auto& m : read(topics::kLeadsRejected)) {
    leadflow::common::v1::LeadRejected r;
    if (!r.ParseFromString(m.value)) continue;
    by_email[EmailOfRejected(r)].push_back(
        {topics::kLeadsRejected, r.meta().lead_id(), leadflow::common::v1::Stage_Name(r.stage())});
  }

  int examples = 0;
  auto example = [&](const std::string& what, const std::string& email) {
    if (examples++ < 5) t.examples += what + ": " + email + "\n";
  };
  t.leads_in = static_cast<int64_t>(leads.size());
  for (const auto& l : leads) {
    auto it = by_email.find(l.email);
    if (it == by_email.end() || it->second.empty()) {
      ++t.lost;
      t.lost_emails.push_back(l.email);
      example("lost", l.email);
      continue;
    }
    ++t.leads_out;
    std::set<std::string> distinct;
    for (const auto& o : it->second) distinct.insert(o.Signature());
    if (distinct.size() > 1) {
      ++t.duplicates;
      std::string all;
      for (const auto& d : distinct) all += " [" + d + "]";
      example("duplicate", l.email + all);
    }
    t.redelivered += static_cast<int64_t>(it->second.size() - distinct.size());
    const Output& o = it->second.front();
    if (!o.lead_id.empty()) t.lead_ids.insert(o.lead_id);
    const std::string& topic = o.topic;
    if (topic == topics::kLeadsAssigned) ++t.assigned;
    if (topic == topics::kLeadsNurture) ++t.nurture;
    if (topic == topics::kAccountsInbound) ++t.inbound;
    if (topic == topics::kLeadsRejected) ++t.rejected;
    bool ok = false;
    switch (l.kind) {
      case LeadKind::kNurture: ok = topic == topics::kLeadsNurture; break;
      case LeadKind::kMidMarket:
        ok = topic == topics::kLeadsAssigned || topic == topics::kLeadsNurture;
        break;
      case LeadKind::kCustomer: ok = topic == topics::kAccountsInbound; break;
      case LeadKind::kDisqualified:
      case LeadKind::kInvalid: ok = topic == topics::kLeadsRejected; break;
    }
    if (!ok) {
      ++t.misrouted;
      example("misrouted to " + topic, l.email);
    }
  }
  return t;
}

Tally WaitForAll(testing::KafkaTestClient& kafka, const std::vector<PlannedLead>& leads,
                 seconds timeout, milliseconds settle) {
  Tally t;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    t = Collect(kafka, leads);
    if (t.lost == 0 || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(milliseconds(500));
  }
  std::this_thread::sleep_for(settle);
  return Collect(kafka, leads);
}

std::string TraceLost(testing::KafkaTestClient& kafka, const Tally& tally) {
  if (tally.lost_emails.empty()) return "";
  const size_t shown = std::min<size_t>(tally.lost_emails.size(), 5);
  std::vector<std::string> seen(shown);
  for (const char* topic : {topics::kLeadsSubmitted, topics::kLeadsAccepted, topics::kLeadsScored}) {
    const auto messages = ReadTopic(kafka, topic);
    if (!messages) {
      for (auto& s : seen) s += std::string(" ") + topic + " unreadable;";
      continue;
    }
    for (size_t k = 0; k < shown; ++k) {
      std::string where;
      for (const auto& m : *messages) {
        // The email is a plain string in the JSON submission and in every
        // protobuf record downstream, so a byte search finds it in both.
        if (m.value.find(tally.lost_emails[k]) == std::string::npos) continue;
        where += " " + std::to_string(m.partition) + "/" + std::to_string(m.offset);
      }
      seen[k] += std::string(" ") + topic + (where.empty() ? " -" : where) + ";";
    }
  }
  std::string out;
  for (size_t k = 0; k < shown; ++k) out += "lost " + tally.lost_emails[k] + " seen on:" + seen[k] + "\n";
  return out;
}

std::string ServiceWarnings(const e2e::Stack& stack, size_t per_service) {
  std::string out;
  for (const auto& service : e2e::Stack::ServiceNames()) {
    const auto lines = WarningLines(stack, service);
    out += "--- " + service + ": " + std::to_string(lines.size()) + " warnings and errors\n";
    for (size_t k = lines.size() > per_service ? lines.size() - per_service : 0; k < lines.size(); ++k) {
      out += lines[k] + "\n";
    }
  }
  return out;
}

std::string WarningCounts(const e2e::Stack& stack, const std::string& name) {
  static const std::regex kMessage(R"re("msg":"([^"]*)")re");
  std::string out;
  for (const auto& service : e2e::Stack::ServiceNames()) {
    std::map<std::string, int> counts;
    std::smatch m;
    for (const auto& line : WarningLines(stack, service)) {
      if (std::regex_search(line, m, kMessage)) ++counts[m[1].str()];
    }
    out += "[" + name + "] " + service + ":";
    if (counts.empty()) out += " no warnings";
    const char* sep = " ";
    for (const auto& [message, n] : counts) {
      out += sep + std::to_string(n) + "x " + message;
      sep = ", ";
    }
    out += "\n";
  }
  return out;
}

std::string Tally::Summary(const std::string& name) const {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "[%s] leads in: %lld, leads out: %lld, duplicates: %lld, lost: %lld "
                "(assigned %lld, nurture %lld, customer inbound %lld, rejected %lld; "
                "misrouted %lld; identical redeliveries %lld)",
                name.c_str(), static_cast<long long>(leads_in), static_cast<long long>(leads_out),
                static_cast<long long>(duplicates), static_cast<long long>(lost),
                static_cast<long long>(assigned), static_cast<long long>(nurture),
                static_cast<long long>(inbound), static_cast<long long>(rejected),
                static_cast<long long>(misrouted), static_cast<long long>(redelivered));
  return buf;
}

std::string CheckRepClaims(e2e::Stack& stack, const Tally& tally) {
  std::string problems;
  std::map<std::string, std::string> owner_of;
  for (const auto& [rep, ids] : tally.rep_leads) {
    for (const auto& id : ids) {
      auto [it, fresh] = owner_of.emplace(id, rep);
      if (!fresh) problems += "lead assigned to two reps: " + it->second + " and " + rep + "\n";
    }
    const std::string n = std::to_string(ids.size());
    const std::string open = stack.redis().Command({"GET", "lf:{routing}:open:" + rep}).value_or("?");
    const std::string open_set =
        stack.redis().Command({"SCARD", "lf:{routing}:open-set:" + rep}).value_or("?");
    if (open != n || open_set != n) {
      problems += rep + ": " + n + " leads assigned on the topic, open counter " + open +
                  ", open set " + open_set + "\n";
    }
  }
  return problems;
}

int64_t DuplicateTouchIds(testing::KafkaTestClient& kafka, int64_t* total) {
  const auto msgs =
      ReadTopic(kafka, topics::kNurtureTouches).value_or(std::vector<testing::KafkaMessage>{});
  std::set<std::string> ids;
  int64_t dups = 0;
  for (const auto& m : msgs) {
    leadflow::nurture::v1::Touch touch;
    if (!touch.ParseFromString(m.value)) continue;
    if (!ids.insert(touch.touch_id()).second) ++dups;
  }
  if (total) *total = static_cast<int64_t>(msgs.size());
  return dups;
}

int64_t RssKb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

int64_t ConsumerLag(e2e::Stack& stack, const std::string& service, const std::string& topic) {
  const std::string body = e2e::HttpGet(stack.ports(service).admin, "/metrics");
  const std::regex re("leadflow_" + service + R"(_consumer_lag_messages\{[^}]*topic=")" + topic +
                      R"("[^}]*\} (-?[0-9.e+]+))");
  int64_t sum = 0;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), re); it != std::sregex_iterator();
       ++it) {
    const double v = std::stod((*it)[1]);
    if (v > 0) sum += static_cast<int64_t>(v);
  }
  return sum;
}

}  // namespace leadflow::faults
