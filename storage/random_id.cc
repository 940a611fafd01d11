#include "storage/random_id.h"

#include <openssl/rand.h>
#include <unistd.h>

#include <cstring>

#include "syncagent/status.h"

namespace syncagent {

namespace {
constexpr char kHex[] = "0123456789abcdef";
}  // namespace

void RandomIdGenerator::Fill(uint8_t* out, size_t n) {
  SYNCAGENT_CHECK(n <= buffer_.size());
  const pid_t pid = ::getpid();
  if (pid != pid_ || used_ + n > buffer_.size()) {
    SYNCAGENT_CHECK(RAND_bytes(buffer_.data(), static_cast<int>(buffer_.size())) == 1);
    used_ = 0;
    pid_ = pid;
  }
  std::memcpy(out, buffer_.data() + used_, n);
  std::memset(buffer_.data() + used_, 0, n);  // never hand out the same bytes twice
  used_ += n;
}

void RandomIdGenerator::NewUuidInto(std::string* out) {
  uint8_t b[16];
  Fill(b, sizeof(b));
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  out->resize(36);
  char* p = out->data();
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
    *p++ = kHex[b[i] >> 4];
    *p++ = kHex[b[i] & 0x0f];
  }
}

std::string RandomIdGenerator::NewUuid() {
  std::string out;
  NewUuidInto(&out);
  return out;
}

std::string RandomIdGenerator::NewClientId() {
  uint8_t b[16];
  Fill(b, sizeof(b));
  std::string out = "c-";
  for (uint8_t byte : b) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0f];
  }
  return out;
}

}  // namespace syncagent
