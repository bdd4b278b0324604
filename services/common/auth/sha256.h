// SHA-256 for secrets that are stored only as digests (API keys), and
// HMAC-SHA-256 for ids that must not be computable without a key (contact
// ids). Pure functions on OpenSSL's libcrypto; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace leadflow::auth {

// Lower-case hex SHA-256 of `data` (64 characters), as
// `printf %s KEY | sha256sum` prints it.
std::string Sha256Hex(std::string_view data);

// Lower-case hex HMAC-SHA-256 of `data` under `key` (64 characters).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// True for exactly 64 hex digits (either case).
bool IsSha256Hex(std::string_view s);

}  // namespace leadflow::auth
