// Random identifiers: lead ids ("L-" + 32 hex digits) and trace/event ids.
// In production they come from OpenSSL's CSPRNG (auth::SecureRandomHex), so no
// number of observed ids predicts the next one (a Mersenne Twister's state is
// recovered from 312 outputs). Tests may ask for a seeded, reproducible
// sequence instead; a seeded generator is never built by the service.
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace leadflow::intake {

class IdGenerator {
 public:
  IdGenerator() = default;              // CSPRNG
  explicit IdGenerator(uint64_t seed);  // deterministic, for tests only

  std::string Hex32();  // 32 lower-case hex digits (128 random bits)
  std::string NewLeadId() { return "L-" + Hex32(); }

 private:
  std::mutex mu_;
  std::optional<std::mt19937_64> seeded_;  // tests only
};

}  // namespace leadflow::intake
