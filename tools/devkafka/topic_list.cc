#include "tools/devkafka/topic_list.h"

#include <charconv>
#include <set>
#include <sstream>

namespace leadflow::devkafka {
namespace {

constexpr std::size_t kMaxTopicNameLength = 249;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Splits a line (comment already removed) into blank separated words.
std::vector<std::string_view> SplitWords(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    std::size_t start = i;
    while (i < line.size() && !IsBlank(line[i])) ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

}  // namespace

const std::vector<TopicSpec>& DefaultTopics() {
  static const std::vector<TopicSpec> kTopics = {
      {"leads.submitted", 6},        {"leads.accepted", 6},   {"leads.rejected", 3},
      {"leads.scored", 6},           {"leads.assigned", 6},   {"leads.nurture", 6},
      {"accounts.inbound", 6},       {"accounts.changes", 3}, {"engagement.events", 6},
      {"sales.feedback", 6},         {"nurture.touches", 6},  {"accounts.notifications", 6},
      {"privacy.erasure", 3},        {"reps.availability", 3},  {"leads.discarded", 6},
      {"deals.stages", 6},           {"deals.stalls", 3},     {"accounts.contacts", 6},
      {"notifications.dead", 3},     {"leads.cohorts", 6},    {"sla.escalations", 3},
      {"reps.out-of-office", 3},
      // One feedback topic per shipped team (config/routing_rules.json).
      {"sales.feedback.key-accounts", 3},     {"sales.feedback.enterprise", 3},
      {"sales.feedback.mid-market", 3},       {"sales.feedback.small-deals", 3},
      {"sales.feedback.partners", 3},         {"sales.feedback.customer-success", 3},
  };
  return kTopics;
}

std::string ValidateTopicName(std::string_view name) {
  if (name.empty()) return "topic name must not be empty";
  if (name.size() > kMaxTopicNameLength) {
    return "topic name is longer than " + std::to_string(kMaxTopicNameLength) + " characters";
  }
  if (name == "." || name == "..") return "topic name must not be \".\" or \"..\"";
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return std::string("topic name contains illegal character '") + c +
             "' (allowed: a-z A-Z 0-9 . _ -)";
    }
  }
  return "";
}

std::string ValidatePartitionCount(long long partitions) {
  if (partitions < 1 || partitions > kMaxPartitions) {
    return "partition count must be between 1 and " + std::to_string(kMaxPartitions);
  }
  return "";
}

bool ParseTopicList(std::string_view text, std::vector<TopicSpec>* topics, std::string* error) {
  std::vector<TopicSpec> parsed;
  std::set<std::string, std::less<>> seen;
  int line_number = 0;
  std::size_t pos = 0;
  auto fail = [&](const std::string& message) {
    *error = "line " + std::to_string(line_number) + ": " + message;
    return false;
  };
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    std::vector<std::string_view> words = SplitWords(line);
    if (words.empty()) continue;
    if (words.size() != 2) {
      return fail("expected \"<topic> <partitions>\", got " + std::to_string(words.size()) +
                  " field(s)");
    }
    std::string_view name = words[0];
    std::string_view count_text = words[1];
    if (std::string reason = ValidateTopicName(name); !reason.empty()) {
      return fail(reason + " (topic \"" + std::string(name) + "\")");
    }
    long long partitions = 0;
    auto [ptr, ec] =
        std::from_chars(count_text.data(), count_text.data() + count_text.size(), partitions);
    if (ec != std::errc() || ptr != count_text.data() + count_text.size()) {
      return fail("partition count \"" + std::string(count_text) + "\" of topic \"" +
                  std::string(name) + "\" is not an integer");
    }
    if (std::string reason = ValidatePartitionCount(partitions); !reason.empty()) {
      return fail(reason + " (topic \"" + std::string(name) + "\")");
    }
    if (!seen.insert(std::string(name)).second) {
      return fail("duplicate topic \"" + std::string(name) + "\"");
    }
    parsed.push_back({std::string(name), static_cast<int>(partitions)});
  }
  if (parsed.empty()) {
    *error = "no topics defined";
    return false;
  }
  *topics = std::move(parsed);
  return true;
}

std::string DescribeTopics(const std::vector<TopicSpec>& topics) {
  std::ostringstream out;
  for (std::size_t i = 0; i < topics.size(); ++i) {
    if (i > 0) out << ", ";
    out << topics[i].name << "(" << topics[i].partitions << ")";
  }
  return out.str();
}

}  // namespace leadflow::devkafka
