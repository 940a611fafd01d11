#include "config/secret.h"

#include <ostream>
#include <utility>

namespace syncagent {

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = std::move(other.value_);
    other.Wipe();
  }
  return *this;
}

Secret::~Secret() { Wipe(); }

void Secret::Wipe() noexcept {
  // Volatile writes so the compiler cannot drop them as dead stores.
  volatile char* data = value_.data();
  for (size_t i = 0; i < value_.size(); ++i) data[i] = '\0';
  value_.clear();
}

std::ostream& operator<<(std::ostream& out, const Secret& secret) {
  return out << secret.ToString();
}

}  // namespace syncagent
