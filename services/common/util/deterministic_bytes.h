// A protobuf message's bytes, the same on every replica and every run.
#pragma once

#include <string>

namespace google::protobuf {
class Message;
}

namespace leadflow {

// Serialises with deterministic map order, so that equal messages give equal
// bytes: payloads that are compared (a stored record against a retry's, a
// dedupe claim) or hashed. Plain SerializeAsString may order map entries
// differently from one process to the next.
std::string SerializeDeterministic(const google::protobuf::Message& message);

}  // namespace leadflow
