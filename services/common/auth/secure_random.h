// Unpredictable identifiers from OpenSSL's CSPRNG (RAND_bytes), for ids that
// must not be guessable from earlier ones (lead ids, event ids). Thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace leadflow::auth {

// 2 * `bytes` lower-case hex digits of fresh random bytes. Aborts the process
// if the CSPRNG fails (it never silently falls back to a weaker generator).
std::string SecureRandomHex(size_t bytes);

}  // namespace leadflow::auth
