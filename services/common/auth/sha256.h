// SHA-256 for secrets that are stored only as digests (API keys). Pure
// functions on OpenSSL's libcrypto; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace leadflow::auth {

// Lower-case hex SHA-256 of `data` (64 characters), as
// `printf %s KEY | sha256sum` prints it.
std::string Sha256Hex(std::string_view data);

// True for exactly 64 hex digits (either case).
bool IsSha256Hex(std::string_view s);

}  // namespace leadflow::auth
