// Plain Kafka message values, free of librdkafka types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadflow::kafka {

struct Header {
  std::string key;
  std::string value;
};

struct ConsumedMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string payload;
  std::vector<Header> headers;
  int64_t timestamp_ms = 0;

  std::optional<std::string_view> FindHeader(std::string_view name) const {
    for (const auto& h : headers) {
      if (h.key == name) return std::string_view(h.value);
    }
    return std::nullopt;
  }
};

struct OutgoingMessage {
  std::string topic;
  std::string key;       // empty = no key (round-robin partitioning)
  std::string payload;
  std::vector<Header> headers;
};

}  // namespace leadflow::kafka
