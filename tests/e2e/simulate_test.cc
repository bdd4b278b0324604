// leadflow-cli simulate on real history (issue 19.1, docs/simulation.md): the
// demo's traffic over the real binaries, devkafka and redis-server, with the
// demo's change to the shipped config (sd-orlov holds one open lead), then
// `leadflow-cli simulate` over the topics:
//   1. samples/leads.jsonl is routed;
//   2. both small-deals reps are PAUSED, samples/queue.jsonl queues, sd-orlov
//      comes back and closes lead after lead: each freed slot drains the queue;
//   3. ka-kuznetsov rejects a lead for a protected reason (back to nurture).
// Simulating the rules routing ran with must give an empty diff (every lead
// decided, none differently, the same drains); a candidate without the
// small-deals team rule must move those leads (and nothing outside their new
// team), with both paths, and list history's drains it no longer makes.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/testing/child_process.h"
#include "common/testing/paths.h"
#include "common/testing/temp_dir.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

using std::chrono::seconds;

struct CliResult {
  int code = -1;
  std::string out, err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

class SimulateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    namespace fs = std::filesystem;
    std::string error;
    config_ = testing::TempDir::Create("leadflow-simulate", &error);
    ASSERT_NE(config_, nullptr) << error;
    fs::copy(testing::SourcePath("config"), config_->path(), fs::copy_options::recursive);
    rules_path_ = config_->path() + "/routing_rules.json";
    std::string rules = ReadFile(rules_path_);
    // The demo's change (scripts/demo): sd-orlov holds one open lead at a time.
    const std::regex orlov(R"(("rep_id": "sd-orlov", "name": "[^"]*", "max_open_leads": )60)");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(rules, m, orlov))
        << "sd-orlov's max_open_leads not found in routing_rules.json";
    const std::string changed = m.prefix().str() + m[1].str() + "1" + m.suffix().str();
    std::ofstream(rules_path_, std::ios::trunc) << changed;
    StackOptions options;
    options.config_dir = config_->path();
    stack_ = Stack::Start(options, &error);
    ASSERT_NE(stack_, nullptr) << error;
  }

  CliResult Cli(std::vector<std::string> args, std::chrono::seconds timeout = seconds(90)) {
    testing::ChildProcessOptions o;
    o.binary = testing::BinPath("leadflow-cli");
    o.args = std::move(args);
    o.env["LEADFLOW_KAFKA_BROKERS"] = stack_->bootstrap();
    std::string error;
    auto p = testing::ChildProcess::Start(o, &error);
    CliResult r;
    if (p == nullptr) {
      r.err = error;
      return r;
    }
    auto code = p->WaitForExit(timeout);
    r.code = code ? *code : p->Kill();
    r.out = p->ReadStdout();
    r.err = p->ReadStderr();
    return r;
  }

  std::vector<std::string> Sd() {
    return {"--routing", stack_->grpc_address("routing"), "--api-key", "demo-key-small-deals"};
  }
  CliResult SdCli(std::vector<std::string> head, std::vector<std::string> tail) {
    for (const auto& a : Sd()) head.push_back(a);
    for (auto& a : tail) head.push_back(std::move(a));
    return Cli(std::move(head));
  }

  // sd-orlov's open (assigned, not yet closed) lead: its id, or "".
  std::string OrlovLead() {
    const CliResult r = SdCli({"open-leads"}, {"--rep", "sd-orlov"});
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("SALES_ASSIGNED") == std::string::npos) continue;
      std::istringstream words(line);
      std::string n, id;
      words >> n >> id;
      return id;
    }
    return "";
  }

  nlohmann::json Simulate(const std::string& rules) {
    const std::string json = config_->path() + "/report.json";
    const CliResult r = Cli({"simulate", "--rules", rules, "--json", json}, seconds(120));
    EXPECT_EQ(r.code, 0) << r.err;
    simulate_stdout_ = r.out;
    return nlohmann::json::parse(ReadFile(json), nullptr, false);
  }

  std::unique_ptr<testing::TempDir> config_;
  std::string rules_path_;
  std::unique_ptr<Stack> stack_;
  std::string simulate_stdout_;
};

TEST_F(SimulateTest, UnchangedRulesGiveAnEmptyDiffOnTheDemosHistory) {
  // 1. The sample leads.
  ASSERT_EQ(Cli({"publish-accounts", testing::SourcePath("config/accounts.sample.jsonl")}).code, 0);
  std::this_thread::sleep_for(seconds(2));  // intake's registry view catches up
  const std::string leads = testing::SourcePath("samples/leads.jsonl");
  int submitted = 0;
  {
    std::ifstream in(leads);
    for (std::string line; std::getline(in, line);) submitted += !line.empty();
  }
  ASSERT_EQ(Cli({"submit", leads}).code, 0);
  CliResult watch =
      Cli({"watch", "--expect", std::to_string(submitted), "--timeout", "90"}, seconds(120));
  ASSERT_EQ(watch.code, 0) << watch.err;

  // 2. A queue that drains as sd-orlov closes lead after lead.
  ASSERT_EQ(SdCli({"availability"}, {"--rep", "sd-orlov", "--state", "PAUSED"}).code, 0);
  ASSERT_EQ(SdCli({"availability"}, {"--rep", "sd-zaitseva", "--state", "PAUSED"}).code, 0);
  ASSERT_EQ(Cli({"submit", testing::SourcePath("samples/queue.jsonl")}).code, 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        const CliResult r = SdCli({"open-leads"}, {"--team", "small-deals"});
        size_t n = 0;
        for (size_t at = r.out.find("SALES_QUEUED"); at != std::string::npos;
             at = r.out.find("SALES_QUEUED", at + 1)) {
          ++n;
        }
        return n >= 5;
      },
      std::chrono::seconds(60)));
  ASSERT_EQ(SdCli({"availability"}, {"--rep", "sd-orlov", "--state", "ACTIVE"}).code, 0);
  std::string held;
  for (int slot = 0; slot < 5; ++slot) {
    std::string current;
    ASSERT_TRUE(WaitFor(
        [&] {
          current = OrlovLead();
          return !current.empty() && current != held;
        },
        std::chrono::seconds(30)))
        << "no lead reached sd-orlov's freed slot " << slot;
    ASSERT_EQ(Cli({"feedback", "--team", "small-deals", "--rep", "sd-orlov", "--lead", current,
                   "--kind", "close", "--outcome", "WON"})
                  .code,
              0);
    held = current;
  }
  std::this_thread::sleep_for(seconds(3));  // the last close is applied and republished

  // The rules routing ran: nothing changes.
  const nlohmann::json same = Simulate(rules_path_);
  ASSERT_FALSE(same.is_discarded()) << simulate_stdout_;
  // Every sample routing decided (a few sample lines are invalid on purpose
  // and end in leads.rejected at intake) and the five queued ones.
  EXPECT_GE(same["leads_in_window"].get<int>(), 45) << simulate_stdout_;
  EXPECT_EQ(same["unmatched"].get<int>(), 0) << simulate_stdout_;
  EXPECT_TRUE(same["changes"].empty()) << same["changes"].dump(2);
  EXPECT_EQ(same["outcomes"]["actual"], same["outcomes"]["simulated"]);
  EXPECT_GE(same["queue_drains"]["actual"].get<int>(), 4) << simulate_stdout_;
  EXPECT_EQ(same["queue_drains"]["simulated"], same["queue_drains"]["actual"]);
  for (const auto& rep : same["reps"]) {
    EXPECT_EQ(rep["assigned"], rep["actual_assigned"]) << rep.dump();
  }
  EXPECT_NE(simulate_stdout_.find("Diff: 0 lead(s)"), std::string::npos) << simulate_stdout_;

  // The one-lead preview of the last lead sd-orlov closed, in a window that
  // holds all of today's history: its queued decision, then the drain to
  // sd-orlov, each with its path, and what routing decided.
  const auto now = std::chrono::system_clock::now();
  const std::string from = Rfc3339(now - std::chrono::hours(1));
  const std::string to = Rfc3339(now + std::chrono::hours(1));
  const CliResult preview =
      Cli({"simulate", "--rules", rules_path_, "--from", from, "--to", to, "--lead", held});
  ASSERT_EQ(preview.code, 0) << preview.err;
  EXPECT_NE(preview.out.find("Diff: 0 lead(s)"), std::string::npos) << preview.out;
  const auto lead_at = preview.out.find("\nLead " + held);
  ASSERT_NE(lead_at, std::string::npos) << preview.out;
  const std::string trace = preview.out.substr(lead_at);
  EXPECT_NE(trace.find("simulated: QUEUED small-deals"), std::string::npos) << trace;
  EXPECT_NE(trace.find("simulated: ASSIGNED small-deals/sd-orlov"), std::string::npos) << trace;
  EXPECT_NE(trace.find("queue.small-deals"), std::string::npos) << trace;
  EXPECT_NE(trace.find("actual: ASSIGNED small-deals/sd-orlov"), std::string::npos) << trace;
  // A window after all of it: nothing decided in it.
  const CliResult later = Cli({"simulate", "--rules", rules_path_, "--from", to});
  ASSERT_EQ(later.code, 0) << later.err;
  EXPECT_NE(later.out.find("leads decided in the window: 0"), std::string::npos) << later.out;

  // A candidate without the small-deals team rule: small deals go to the
  // segment's team instead. Every change is a lead history sent to
  // small-deals, or a knock-on in mid-market's round robin (same team, another
  // rep); each carries both paths.
  nlohmann::json candidate = nlohmann::json::parse(ReadFile(rules_path_));
  auto& team_rules = candidate["team_rules"];
  const size_t before = team_rules.size();
  for (auto it = team_rules.begin(); it != team_rules.end(); ++it) {
    if ((*it)["rule_id"] == "team.small_deals") {
      team_rules.erase(it);
      break;
    }
  }
  ASSERT_EQ(team_rules.size(), before - 1) << "no team.small_deals in routing_rules.json";
  candidate["version"] = "candidate-no-small-deals-rule";
  const std::string candidate_path = config_->path() + "/candidate.json";
  std::ofstream(candidate_path, std::ios::trunc) << candidate.dump(2);
  const nlohmann::json moved = Simulate(candidate_path);
  ASSERT_FALSE(moved.is_discarded()) << simulate_stdout_;
  // History's queue drains in small-deals are listed too, lead by lead, with
  // no drain on the candidate's side (it never queued those leads there).
  int from_small_deals = 0, drains_gone = 0;
  auto team_of = [](const nlohmann::json& d) {
    return d.is_null() ? std::string() : d.value("team", std::string());
  };
  for (const auto& c : moved["changes"]) {
    const std::string actual_team = team_of(c["actual"]);
    const std::string simulated_team = team_of(c["simulated"]);
    EXPECT_NE(simulated_team, "small-deals") << c.dump(2);
    if (c["source"] == "queue_drain" && actual_team == "small-deals" &&
        c["simulated"].is_null()) {
      ++drains_gone;
      continue;
    }
    EXPECT_EQ(c["source"], "scored") << c.dump(2);
    if (actual_team == "small-deals") {
      ++from_small_deals;
    } else {
      EXPECT_EQ(actual_team, simulated_team) << c.dump(2);
    }
    EXPECT_FALSE(c["actual"]["path"].empty());
    EXPECT_FALSE(c["simulated"]["path"].empty());
  }
  EXPECT_GE(from_small_deals, 5) << simulate_stdout_;
  EXPECT_EQ(drains_gone, moved["queue_drains"]["actual"].get<int>()) << simulate_stdout_;
  EXPECT_EQ(moved["changes_by_source"].value("queue_drain", 0), drains_gone);
}

}  // namespace
}  // namespace leadflow::e2e
