// ExpandEnvironment: `${NAME}` substitution in config string values.
//
// Rules: `${NAME}` (NAME = [A-Za-z_][A-Za-z0-9_]*) is replaced by the variable's value (a set but
// empty variable expands to ""); `$$` is a literal `$`; a `$` followed by anything else is kept as
// is. A variable that is not set, a `${` without `}` and a bad name are errors. Error messages name
// the variable but never contain the value or the text being expanded (it may be a secret).
//
// Thread safety: pure function; `env` is called on the caller's thread.
#ifndef SYNCAGENT_CONFIG_ENV_EXPANDER_H_
#define SYNCAGENT_CONFIG_ENV_EXPANDER_H_

#include <optional>
#include <string>
#include <string_view>

#include "config/config_options.h"

namespace syncagent::config_internal {

struct ExpandResult {
  std::string value;              // the expanded text (meaningless when error is set)
  bool used_environment = false;  // at least one ${NAME} was substituted
  std::optional<std::string> error;
};

ExpandResult ExpandEnvironment(std::string_view text, const EnvLookup& env);

}  // namespace syncagent::config_internal

#endif  // SYNCAGENT_CONFIG_ENV_EXPANDER_H_
