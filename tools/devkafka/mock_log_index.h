// Runs mock_log_segments.h's merge over every partition of librdkafka's mock
// cluster, on the mock thread, between requests (broker_socket_interposer.h's
// before-request hook), so what a Fetch costs does not grow with the log.
//
// Only with librdkafka 2.0.2, whose structures mock_log_segments.h describes;
// with another version, or if a log ever looks different from what it
// expects, it stays off (a line on stderr says so) and the mock walks its
// logs as it always did: slower, never wrong.
#ifndef LEADFLOW_TOOLS_DEVKAFKA_MOCK_LOG_INDEX_H_
#define LEADFLOW_TOOLS_DEVKAFKA_MOCK_LOG_INDEX_H_

#include <cstdint>

namespace leadflow::devkafka::log_index {

/// Turns segmenting on if this librdkafka is the one described; returns
/// whether it is on.
bool Enable();
/// Turns it off for good (before the mock cluster is destroyed).
void Disable();
/// On the mock thread, before it handles the bytes it just read: merges old
/// batches of partitions that grew by segments::kPassAfterBatches entries
/// since they were last looked at.
/// At most every few milliseconds; cheap otherwise.
void OnMockThread();

struct Stats {
  bool enabled = false;
  int64_t segments = 0;         ///< segments made so far
  int64_t batches_merged = 0;   ///< record batches joined into them
  int64_t segments_merged = 0;  ///< merges of two adjacent segments
  int64_t longest_log = 0;      ///< most entries in one partition log at the last pass
};
Stats GetStats();

}  // namespace leadflow::devkafka::log_index

#endif  // LEADFLOW_TOOLS_DEVKAFKA_MOCK_LOG_INDEX_H_
