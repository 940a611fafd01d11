// GenerateConfigSchema: the JSON Schema (draft 2020-12) of the config file, derived from the key
// table (config/key_table.h) so it cannot drift from the validator. Checked in as
// config/syncagent.schema.json (regenerate with the config_schema_gen tool); editors use it for
// completion and validation. Cross-field rules (bearer token sources, http vs
// allow_insecure_http, retry.max_delay_ms >= initial_delay_ms, per_collection vs collections) and
// ${VAR} expansion are enforced by syncagent only.
//
// Thread safety: pure function.
#ifndef SYNCAGENT_CONFIG_CONFIG_SCHEMA_H_
#define SYNCAGENT_CONFIG_CONFIG_SCHEMA_H_

#include <nlohmann/json.hpp>
#include <string>

namespace syncagent {

nlohmann::json GenerateConfigSchema();

// The exact text of config/syncagent.schema.json: 2-space indent and a trailing newline.
std::string ConfigSchemaText();

}  // namespace syncagent

#endif  // SYNCAGENT_CONFIG_CONFIG_SCHEMA_H_
