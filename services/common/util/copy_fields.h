// Building one message from another of a different type that carries some
// of its fields under the same names: a gRPC request into the event it
// publishes, an event into the view an API answers. Copying them by name
// keeps the two schemas from drifting apart the way a list of setters can:
// a field added to both is copied without a code change, and
// CopyFieldsByName names every field of `from` that has no counterpart.
// Pure; thread-safe.
#pragma once

#include <google/protobuf/message.h>

#include <map>
#include <string>
#include <vector>

namespace leadflow::proto {

// Field names of `from` that are called otherwise in `to`.
using FieldRenames = std::map<std::string, std::string>;

// Sets in `to` each field that is set in `from` (for a proto3 scalar: not
// its default) and that `to` has under the same name (after `renames`) with
// the same type: scalar kind, enum or message type, and repetition. Fields
// of `to` that `from` does not have are left alone. Returns the fields of
// `from` (set or not) that have no such counterpart in `to`.
std::vector<std::string> CopyFieldsByName(const google::protobuf::Message& from,
                                          google::protobuf::Message& to,
                                          const FieldRenames& renames = {});

}  // namespace leadflow::proto
