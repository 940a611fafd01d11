#include "common/redact.h"

#include <algorithm>

namespace syncagent {

std::string RedactSecrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::vector<const std::string*> usable;
  for (const std::string& secret : secrets) {
    if (secret.size() >= kMinRedactedSecretBytes) usable.push_back(&secret);
  }
  std::sort(usable.begin(), usable.end(),
            [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  std::string out(text);
  for (const std::string* secret : usable) {
    for (size_t at = out.find(*secret); at != std::string::npos; at = out.find(*secret, at + 3)) {
      out.replace(at, secret->size(), "***");
    }
  }
  return out;
}

}  // namespace syncagent
