// Random draws shared by the soak's loops (each loop owns its generator, seeded from --seed).
#ifndef SYNCAGENT_TESTS_SOAK_RANDOM_H_
#define SYNCAGENT_TESTS_SOAK_RANDOM_H_

#include <random>

namespace syncagent::soak {

// Uniform integer in [lo, hi].
inline int Uniform(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// True with probability p.
inline bool Chance(std::mt19937_64& rng, double p) {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p;
}

}  // namespace syncagent::soak

#endif  // SYNCAGENT_TESTS_SOAK_RANDOM_H_
