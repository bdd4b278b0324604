#include "intake/app/id_generator.h"

#include "common/auth/secure_random.h"
#include "intake/domain/identity.h"

namespace leadflow::intake {

IdGenerator::IdGenerator(uint64_t seed) : seeded_(std::mt19937_64(seed)) {}

std::string IdGenerator::Hex32() {
  if (!seeded_) return auth::SecureRandomHex(16);
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t a = (*seeded_)();
  const uint64_t b = (*seeded_)();
  return Hex16(a) + Hex16(b);
}

}  // namespace leadflow::intake
