// RandomIdGenerator: random UUIDs (v4) and client ids from a CSPRNG.
//
// Bytes come from OpenSSL's RAND_bytes (a CSPRNG seeded by the OS), drawn in 4 KiB blocks so a
// local write does not pay for a RAND_bytes call. The buffer is discarded after fork(), so a
// parent and child never hand out the same ids.
//
// Thread safety: not thread-safe; each Store owns one and uses it under its lock.
#ifndef SYNCAGENT_STORAGE_RANDOM_ID_H_
#define SYNCAGENT_STORAGE_RANDOM_ID_H_

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace syncagent {

class RandomIdGenerator {
 public:
  RandomIdGenerator() = default;

  // A random RFC 4122 version-4 UUID, lowercase: "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
  std::string NewUuid();
  // Writes a UUID into `out` (36 chars) without allocating when `out` has capacity.
  void NewUuidInto(std::string* out);
  // A client id: "c-" followed by 32 lowercase hex digits (128 random bits).
  std::string NewClientId();

 private:
  void Fill(uint8_t* out, size_t n);

  std::array<uint8_t, 4096> buffer_{};
  size_t used_ = 4096;  // everything consumed: refill on first use
  pid_t pid_ = -1;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_RANDOM_ID_H_
