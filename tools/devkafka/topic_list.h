// Topic list handling for leadflow-devkafka: the compiled-in default list of
// project topics and a parser for the `--topics-file` format.
//
// Everything here is pure (no I/O, no librdkafka) so it can be unit tested.

#ifndef LEADFLOW_TOOLS_DEVKAFKA_TOPIC_LIST_H_
#define LEADFLOW_TOOLS_DEVKAFKA_TOPIC_LIST_H_

#include <string>
#include <string_view>
#include <vector>

namespace leadflow::devkafka {

/// Upper bound for the partition count of a single topic.
inline constexpr int kMaxPartitions = 1000;

/// One topic to create on the mock cluster.
struct TopicSpec {
  std::string name;
  int partitions = 0;

  friend bool operator==(const TopicSpec&, const TopicSpec&) = default;
};

/// The project's topics with their partition counts, in a stable order.
const std::vector<TopicSpec>& DefaultTopics();

/// Checks a Kafka topic name: 1..249 characters from [a-zA-Z0-9._-], and not
/// "." or "..". Returns an empty string if valid, otherwise a human readable
/// reason (without the name itself).
std::string ValidateTopicName(std::string_view name);

/// Checks a partition count: an integer in [1, kMaxPartitions]. Returns an
/// empty string if valid, otherwise a human readable reason.
std::string ValidatePartitionCount(long long partitions);

/// Parses the topics file format:
///
///   # comment
///   leads.submitted 6     # trailing comments are allowed too
///
/// i.e. one `name partitions` pair per line, separated by blanks; blank lines
/// and `#` comments are ignored. Duplicate names are an error.
///
/// On success fills `*topics` and returns true. On failure returns false and
/// sets `*error` to a message starting with "line N: ". An input without any
/// topic is an error as well ("no topics defined").
bool ParseTopicList(std::string_view text, std::vector<TopicSpec>* topics, std::string* error);

/// Comma separated "name(partitions)" summary, e.g. "a(6), b(3)".
std::string DescribeTopics(const std::vector<TopicSpec>& topics);

}  // namespace leadflow::devkafka

#endif  // LEADFLOW_TOOLS_DEVKAFKA_TOPIC_LIST_H_
