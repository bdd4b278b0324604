// Stable identifiers derived from normalised contact data: contact ids and
// idempotency keys. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leadflow::intake {

inline constexpr uint64_t kFnvOffsetBasis = 14695981039346656037ULL;

// 64-bit FNV-1a of `data`, starting from `basis`.
uint64_t Fnv1a64(std::string_view data, uint64_t basis = kFnvOffsetBasis);

// 16 lower-case hex digits.
std::string Hex16(uint64_t v);

// The dedupe key when the client supplied one: "k-" + 32 hex digits hashed
// from (source_id, client_key). Scoped by source so that two forms cannot
// collide by choosing the same key.
std::string ClientIdempotencyKey(std::string_view source_id, std::string_view client_key);

// The dedupe key derived from (contact_key, source_id, the window bucket of
// `submitted_unix_seconds`): "d-" + 32 hex digits. Two submissions of the same
// contact through the same form in the same window_seconds-long bucket share a
// key. Buckets are aligned to the Unix epoch, so a repeat straddling a bucket
// edge is not detected (documented limitation). window_seconds must be > 0.
std::string DerivedIdempotencyKey(std::string_view contact_key, std::string_view source_id,
                                  int64_t submitted_unix_seconds, int64_t window_seconds);

}  // namespace leadflow::intake
