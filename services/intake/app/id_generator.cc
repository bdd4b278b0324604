#include "intake/app/id_generator.h"

#include "intake/domain/identity.h"

namespace leadflow::intake {

IdGenerator::IdGenerator() {
  std::random_device rd;
  std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
  engine_.seed(seq);
}

IdGenerator::IdGenerator(uint64_t seed) : engine_(seed) {}

std::string IdGenerator::Hex32() {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t a = engine_();
  const uint64_t b = engine_();
  return Hex16(a) + Hex16(b);
}

}  // namespace leadflow::intake
