/* What the C99 suites (capi_suite.c, capi_watch.c) share: CHECK and CHECK_OK record the first
 * failure with its file and line in `failure` (failure_size bytes) and jump to the function's
 * `done:` label, where it cleans up and returns `result`; a config for a test agent. */
#ifndef SYNCAGENT_TESTS_CAPI_CAPI_CHECK_H_
#define SYNCAGENT_TESTS_CAPI_CAPI_CHECK_H_

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static inline void fail_at(char* failure, size_t size, const char* file, int line, const char* fmt,
                           ...) {
  va_list args;
  const char* base = strrchr(file, '/');
  int used = snprintf(failure, size, "%s:%d: ", base != NULL ? base + 1 : file, line);
  if (used < 0 || (size_t)used >= size) return;
  va_start(args, fmt);
  vsnprintf(failure + used, size - (size_t)used, fmt, args);
  va_end(args);
}

#define CHECK(cond, ...)                                               \
  do {                                                                 \
    if (!(cond)) {                                                     \
      fail_at(failure, failure_size, __FILE__, __LINE__, __VA_ARGS__); \
      goto done;                                                       \
    }                                                                  \
  } while (0)

/* Expects `call` (an int expression) to return 0; else fails with the error's message. */
#define CHECK_OK(call)                                                                     \
  do {                                                                                     \
    int rc_ = (call);                                                                      \
    if (rc_ != 0) {                                                                        \
      fail_at(failure, failure_size, __FILE__, __LINE__, "%s returned %d: %s", #call, rc_, \
              err.message);                                                                \
      goto done;                                                                           \
    }                                                                                      \
  } while (0)

static inline int contains(const char* text, const char* needle) {
  return text != NULL && strstr(text, needle) != NULL;
}

/* A config for the agent `db` in `dir` with the server at `base_url`; `extra` (may be NULL)
 * adds members (",\"sync\":{...}"). */
static inline void make_config(char* out, size_t size, const char* base_url, const char* dir,
                               const char* db, const char* extra) {
  snprintf(
      out, size,
      "{\"server\":{\"base_url\":\"%s\",\"allow_insecure_http\":true,"
      "\"timeouts\":{\"request_ms\":5000}},"
      "\"storage\":{\"path\":\"%s/%s\"},"
      "\"retry\":{\"initial_delay_ms\":10,\"max_delay_ms\":50,\"max_attempts_per_cycle\":2}%s}",
      base_url, dir, db, extra ? extra : "");
}

#endif /* SYNCAGENT_TESTS_CAPI_CAPI_CHECK_H_ */
