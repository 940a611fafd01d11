/* C99 tests of the C API: this file includes only syncagent.h (and the C library), is compiled as
 * C with -std=c99 -pedantic -Werror, and so also proves the header is valid C. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include "capi_suite.h"

#include "capi_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "syncagent/syncagent.h"

/* ---- helpers ---- */

/* Value of the integer member `"name":` after `from` (first occurrence), or -1. */
static long long int_member(const char* json, const char* name) {
  char pattern[64];
  const char* at;
  snprintf(pattern, sizeof pattern, "\"%s\":", name);
  at = json ? strstr(json, pattern) : NULL;
  if (at == NULL) return -1;
  return strtoll(at + strlen(pattern), NULL, 10);
}

/* ---- callbacks ---- */

typedef struct event_log {
  int events;
  int cycle_started;
  int cycle_finished;
  int cancel_on_start;
  syncagent_agent* agent; /* for cancel_on_start */
} event_log;

static void on_event_owned(char* event_json, void* user) {
  int* count = (int*)user;
  if (contains(event_json, "\"type\":")) (*count)++;
  syncagent_free(event_json);
}

static void on_event(const char* event_json, void* user) {
  event_log* log = (event_log*)user;
  log->events++;
  if (contains(event_json, "\"type\":\"cycle_started\"")) {
    log->cycle_started++;
    if (log->cancel_on_start) {
      /* As an OS expiration handler would; then give run_headless's watchdog (it polls every
       * 5 ms) time to forward the cancellation before the cycle's first request. */
      struct timespec pause;
      pause.tv_sec = 0;
      pause.tv_nsec = 200 * 1000 * 1000;
      syncagent_cancel(log->agent);
      nanosleep(&pause, NULL);
    }
  }
  if (contains(event_json, "\"type\":\"cycle_finished\"")) log->cycle_finished++;
}

typedef struct resolver_state {
  int calls;
  int fail; /* return non-zero: leave the conflict open */
  char last_sides[4096];
} resolver_state;

static char* dup_string(const char* s) {
  size_t n = strlen(s) + 1;
  char* copy = (char*)malloc(n);
  if (copy != NULL) memcpy(copy, s, n);
  return copy;
}

static int resolve(const char* sides_json, char** out_resolution_json, void* user) {
  resolver_state* state = (resolver_state*)user;
  state->calls++;
  snprintf(state->last_sides, sizeof state->last_sides, "%s", sides_json);
  if (state->fail) return 7;
  *out_resolution_json = dup_string("{\"action\":\"use\",\"data\":{\"title\":\"resolved\"}}");
  return 0;
}

/* ---- tests ---- */

int capi_roundtrip(const char* base_url, const char* dir, char* failure, size_t failure_size) {
  char config[2048];
  syncagent_error err;
  syncagent_agent* a = NULL;
  syncagent_agent* b = NULL;
  char* json = NULL;
  char* report = NULL;
  event_log log;
  int owned_events = 0;
  int result = 1;
  memset(&log, 0, sizeof log);

  CHECK(syncagent_version() != NULL && strlen(syncagent_version()) > 0, "empty version");

  make_config(config, sizeof config, base_url, dir, "a.db", NULL);
  CHECK_OK(syncagent_open_json(config, &a, &err));
  CHECK(a != NULL, "open returned 0 without a handle");
  CHECK(err.code == 0 && err.message[0] == '\0', "err not cleared on success");
  CHECK_OK(syncagent_set_event_callback(a, on_event, &log));

  CHECK_OK(syncagent_put(a, "notes", "n1", "{\"title\":\"hello\",\"tags\":[\"x\"]}", &err));
  CHECK_OK(syncagent_put(a, "notes", "n2", "{\"title\":\"second\"}", &err));
  CHECK_OK(syncagent_put(a, "notes", "n3", "{\"title\":\"doomed\"}", &err));
  CHECK_OK(syncagent_patch(a, "notes", "n1", "{\"body\":\"b\",\"tags\":null}", &err));
  CHECK_OK(syncagent_delete(a, "notes", "n3", &err));

  CHECK_OK(syncagent_get(a, "notes", "n1", &json, &err));
  CHECK(contains(json, "\"body\":\"b\"") && contains(json, "\"title\":\"hello\"") &&
            !contains(json, "tags"),
        "patched n1 is %s", json);
  syncagent_free(json);
  json = NULL;
  CHECK(syncagent_get(a, "notes", "n3", &json, &err) == SYNCAGENT_NOT_FOUND, "deleted n3 found");
  CHECK(err.code == SYNCAGENT_NOT_FOUND && json == NULL, "NOT_FOUND not reported in err");

  CHECK_OK(syncagent_status_json(a, &json, &err));
  CHECK(int_member(json, "queue_depth") >= 2, "queue_depth before sync: %s", json);
  syncagent_free(json);
  json = NULL;

  CHECK_OK(syncagent_sync_now(a, 20000, &report, &err));
  CHECK(contains(report, "\"outcome\":\"done\""), "report %s", report);
  CHECK(int_member(report, "pushed") >= 2, "report %s", report);
  CHECK(log.cycle_started == 1 && log.cycle_finished == 1 && log.events >= 3,
        "events: %d started, %d finished, %d in all", log.cycle_started, log.cycle_finished,
        log.events);

  CHECK_OK(syncagent_status_json(a, &json, &err));
  CHECK(int_member(json, "queue_depth") == 0, "queue_depth after sync: %s", json);
  CHECK(contains(json, "\"last_outcome\":\"done\"") && contains(json, "\"schedule_health\":"),
        "status %s", json);
  syncagent_free(json);
  json = NULL;

  /* A second device sees the data. */
  make_config(config, sizeof config, base_url, dir, "b.db", NULL);
  CHECK_OK(syncagent_open_json(config, &b, &err));
  CHECK_OK(syncagent_sync_now(b, 0, NULL, &err));
  CHECK_OK(syncagent_get(b, "notes", "n1", &json, &err));
  CHECK(contains(json, "\"title\":\"hello\"") && contains(json, "\"body\":\"b\""), "b: n1 %s",
        json);
  syncagent_free(json);
  json = NULL;
  CHECK_OK(syncagent_get(b, "notes", "n2", &json, &err));
  CHECK(contains(json, "second"), "b: n2 %s", json);
  syncagent_free(json);
  json = NULL;
  CHECK(syncagent_get(b, "notes", "n3", &json, &err) == SYNCAGENT_NOT_FOUND, "b: n3 exists");

  /* A listener (owned copies) replaces the callback; removing it: no more events. */
  CHECK_OK(syncagent_set_event_listener(a, on_event_owned, &owned_events));
  log.events = 0;
  CHECK_OK(syncagent_sync_now(a, 0, NULL, &err));
  CHECK(log.events == 0 && owned_events >= 2, "listener: %d events, callback: %d", owned_events,
        log.events);
  CHECK_OK(syncagent_set_event_listener(a, NULL, NULL));
  owned_events = 0;
  CHECK_OK(syncagent_sync_now(a, 0, NULL, &err));
  CHECK(log.events == 0 && owned_events == 0, "events after removal: %d, %d", log.events,
        owned_events);
  result = 0;
done:
  syncagent_free(json);
  syncagent_free(report);
  syncagent_close(a);
  syncagent_close(b);
  return result;
}

int capi_conflicts(const char* base_url, const char* dir, char* failure, size_t failure_size) {
  char config[2048];
  syncagent_error err;
  syncagent_agent* a = NULL;
  syncagent_agent* b = NULL;
  char* json = NULL;
  char* report = NULL;
  resolver_state resolver;
  long long id;
  int result = 1;
  memset(&resolver, 0, sizeof resolver);

  make_config(config, sizeof config, base_url, dir, "ca.db", NULL);
  CHECK_OK(syncagent_open_json(config, &a, &err));
  make_config(config, sizeof config, base_url, dir, "cb.db", NULL);
  CHECK_OK(syncagent_open_json(config, &b, &err));
  CHECK_OK(syncagent_set_conflict_resolver(b, resolve, &resolver));

  CHECK_OK(syncagent_put(a, "notes", "c1", "{\"title\":\"base\"}", &err));
  CHECK_OK(syncagent_sync_now(a, 0, NULL, &err));
  CHECK_OK(syncagent_sync_now(b, 0, NULL, &err));

  /* Both edit the same field; A syncs first, B's push conflicts. */
  CHECK_OK(syncagent_put(a, "notes", "c1", "{\"title\":\"from A\"}", &err));
  CHECK_OK(syncagent_sync_now(a, 0, NULL, &err));
  CHECK_OK(syncagent_put(b, "notes", "c1", "{\"title\":\"from B\"}", &err));
  CHECK_OK(syncagent_sync_now(b, 0, &report, &err));
  CHECK(resolver.calls >= 1, "resolver not called; report %s", report);
  CHECK(contains(resolver.last_sides, "\"collection\":\"notes\"") &&
            contains(resolver.last_sides, "\"key\":\"c1\"") &&
            contains(resolver.last_sides, "\"local\":{") &&
            contains(resolver.last_sides, "from B") && contains(resolver.last_sides, "from A") &&
            contains(resolver.last_sides, "\"base\":{"),
        "sides %s", resolver.last_sides);
  CHECK_OK(syncagent_get(b, "notes", "c1", &json, &err));
  CHECK(contains(json, "resolved"), "b after resolve: %s", json);
  syncagent_free(json);
  json = NULL;
  CHECK_OK(syncagent_sync_now(a, 0, NULL, &err));
  CHECK_OK(syncagent_get(a, "notes", "c1", &json, &err));
  CHECK(contains(json, "resolved"), "a after resolve: %s", json);
  syncagent_free(json);
  json = NULL;

  /* A resolver that fails leaves the conflict open: nothing is lost, the app settles it. */
  resolver.fail = 1;
  resolver.calls = 0;
  CHECK_OK(syncagent_put(a, "notes", "c1", "{\"title\":\"A again\"}", &err));
  CHECK_OK(syncagent_sync_now(a, 0, NULL, &err));
  CHECK_OK(syncagent_put(b, "notes", "c1", "{\"title\":\"B again\"}", &err));
  CHECK_OK(syncagent_sync_now(b, 0, NULL, &err));
  CHECK(resolver.calls >= 1, "failing resolver not called");
  CHECK_OK(syncagent_get(b, "notes", "c1", &json, &err));
  CHECK(contains(json, "B again"), "local edit lost while the conflict is open: %s", json);
  syncagent_free(json);
  json = NULL;
  CHECK_OK(syncagent_conflicts_json(b, &json, &err));
  CHECK(contains(json, "\"key\":\"c1\"") && contains(json, "\"status\":\"open\""), "conflicts %s",
        json);
  id = int_member(json, "id");
  CHECK(id > 0, "no id in %s", json);
  syncagent_free(json);
  json = NULL;

  CHECK(syncagent_resolve_conflict(b, id, "{\"action\":\"nope\"}", &err) ==
                SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "resolution_json.action"),
        "bad action: %d %s", err.code, err.message);
  CHECK(syncagent_resolve_conflict(b, 987654, "{\"action\":\"keep_local\"}", &err) ==
            SYNCAGENT_NOT_FOUND,
        "unknown conflict id: %d %s", err.code, err.message);
  CHECK_OK(syncagent_resolve_conflict(b, id, "{\"action\":\"keep_local\"}", &err));
  CHECK_OK(syncagent_conflicts_json(b, &json, &err));
  CHECK(strcmp(json, "[]") == 0, "conflicts after resolve: %s", json);
  syncagent_free(json);
  json = NULL;
  CHECK_OK(syncagent_sync_now(b, 0, NULL, &err));
  CHECK_OK(syncagent_sync_now(a, 0, NULL, &err));
  CHECK_OK(syncagent_get(a, "notes", "c1", &json, &err));
  CHECK(contains(json, "B again"), "a after keep_local: %s", json);
  result = 0;
done:
  syncagent_free(json);
  syncagent_free(report);
  syncagent_close(a);
  syncagent_close(b);
  return result;
}

int capi_headless_and_cancel(const char* base_url, const char* dir, char* failure,
                             size_t failure_size) {
  char config[2048];
  syncagent_error err;
  syncagent_agent* a = NULL;
  char* json = NULL;
  event_log log;
  int task_result = -1;
  int result = 1;
  memset(&log, 0, sizeof log);

  make_config(config, sizeof config, base_url, dir, "h.db",
              ",\"schedule\":{\"task_id\":\"com.example.sync\",\"time_budget_seconds\":20}");
  CHECK_OK(syncagent_open_json(config, &a, &err));
  CHECK_OK(syncagent_put(a, "tasks", "t1", "{\"done\":false}", &err));
  CHECK_OK(syncagent_run_headless(a, NULL, 10000, &task_result, &json, &err));
  CHECK(task_result == SYNCAGENT_TASK_SUCCESS, "headless result %d: %s", task_result, json);
  CHECK(contains(json, "\"result\":\"success\"") && contains(json, "\"skipped\":false") &&
            contains(json, "\"cycle\":{"),
        "headless json %s", json);
  syncagent_free(json);
  json = NULL;
  CHECK_OK(syncagent_status_json(a, &json, &err));
  CHECK(int_member(json, "queue_depth") == 0 && contains(json, "\"runs\":1"), "status %s", json);
  syncagent_free(json);
  json = NULL;

  /* Cancel from the event callback (as an OS expiration handler would, from any thread). */
  log.cancel_on_start = 1;
  log.agent = a;
  CHECK_OK(syncagent_set_event_callback(a, on_event, &log));
  CHECK_OK(syncagent_put(a, "tasks", "t2", "{\"done\":true}", &err));
  CHECK_OK(syncagent_sync_now(a, 10000, &json, &err));
  CHECK(log.cycle_started == 1, "no cycle_started event");
  CHECK(contains(json, "\"outcome\":\"partial\"") && contains(json, "syncagent_cancel"),
        "cancelled sync_now report %s", json);
  syncagent_free(json);
  json = NULL;
  CHECK_OK(syncagent_run_headless(a, "com.example.sync", 10000, &task_result, &json, &err));
  CHECK(task_result == SYNCAGENT_TASK_RETRY, "cancelled headless result %d: %s", task_result, json);
  syncagent_free(json);
  json = NULL;

  /* Without the cancel, the next run catches up. */
  log.cancel_on_start = 0;
  CHECK_OK(syncagent_run_headless(a, "", 0, &task_result, NULL, &err));
  CHECK(task_result == SYNCAGENT_TASK_SUCCESS, "catch-up headless result %d", task_result);
  CHECK_OK(syncagent_status_json(a, &json, &err));
  CHECK(int_member(json, "queue_depth") == 0, "status %s", json);
  CHECK_OK(syncagent_cancel(a)); /* nothing running: harmless */
  result = 0;
done:
  syncagent_free(json);
  syncagent_close(a);
  return result;
}

int capi_misuse(const char* dir, char* failure, size_t failure_size) {
  char config[2048];
  syncagent_error err;
  syncagent_agent* a = NULL;
  syncagent_agent* none = NULL;
  char* json = NULL;
  int task_result = 0;
  int result = 1;

  /* NULL handle everywhere: an error, never a crash. */
  CHECK(syncagent_put(NULL, "c", "k", "{}", &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "agent"),
        "put(NULL): %d %s", err.code, err.message);
  CHECK(syncagent_patch(NULL, "c", "k", "{}", NULL) == SYNCAGENT_INVALID_ARGUMENT, "patch(NULL)");
  CHECK(syncagent_delete(NULL, "c", "k", &err) == SYNCAGENT_INVALID_ARGUMENT, "delete(NULL)");
  CHECK(syncagent_get(NULL, "c", "k", &json, &err) == SYNCAGENT_INVALID_ARGUMENT && json == NULL,
        "get(NULL)");
  CHECK(syncagent_sync_now(NULL, 0, &json, &err) == SYNCAGENT_INVALID_ARGUMENT, "sync_now(NULL)");
  CHECK(
      syncagent_run_headless(NULL, NULL, 0, &task_result, NULL, &err) == SYNCAGENT_INVALID_ARGUMENT,
      "run_headless(NULL)");
  CHECK(syncagent_cancel(NULL) == SYNCAGENT_INVALID_ARGUMENT, "cancel(NULL)");
  CHECK(syncagent_status_json(NULL, &json, &err) == SYNCAGENT_INVALID_ARGUMENT, "status(NULL)");
  CHECK(syncagent_set_event_callback(NULL, NULL, NULL) == SYNCAGENT_INVALID_ARGUMENT, "set_event");
  CHECK(syncagent_set_event_listener(NULL, NULL, NULL) == SYNCAGENT_INVALID_ARGUMENT,
        "set_listener");
  CHECK(syncagent_set_conflict_resolver(NULL, NULL, NULL) == SYNCAGENT_INVALID_ARGUMENT,
        "set_resolver");
  CHECK(syncagent_conflicts_json(NULL, &json, &err) == SYNCAGENT_INVALID_ARGUMENT, "conflicts");
  CHECK(syncagent_resolve_conflict(NULL, 1, "{}", &err) == SYNCAGENT_INVALID_ARGUMENT, "resolve");
  syncagent_close(NULL);
  syncagent_free(NULL);

  /* Bad configs: NULL, not JSON, missing keys, wrong types — the message names the JSON path. */
  CHECK(syncagent_open_json(NULL, &none, &err) == SYNCAGENT_INVALID_ARGUMENT && none == NULL,
        "open_json(NULL)");
  CHECK(syncagent_open_json("{}", NULL, &err) == SYNCAGENT_INVALID_ARGUMENT, "open_json out NULL");
  CHECK(syncagent_open_json("{not json", &none, &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "line 1"),
        "open_json(bad JSON): %s", err.message);
  CHECK(syncagent_open_json("{}", &none, &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "server.base_url") && contains(err.message, "storage.path"),
        "open_json({}): %s", err.message);
  snprintf(config, sizeof config,
           "{\"server\":{\"base_url\":\"http://127.0.0.1:1\",\"allow_insecure_http\":true},"
           "\"storage\":{\"path\":\"%s/m.db\"},\"schedule\":{\"minimum_interval_minutes\":5}}",
           dir);
  CHECK(syncagent_open_json(config, &none, &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "schedule.minimum_interval_minutes"),
        "open_json(interval 5): %s", err.message);
  CHECK(
      syncagent_open_file("/nonexistent/dir/syncagent.json", &none, &err) == SYNCAGENT_NOT_FOUND &&
          contains(err.message, "/nonexistent/dir/syncagent.json"),
      "open_file(missing): %d %s", err.code, err.message);
  CHECK(syncagent_open_file(NULL, &none, &err) == SYNCAGENT_INVALID_ARGUMENT, "open_file(NULL)");

  /* A good agent, bad arguments. */
  make_config(config, sizeof config, "http://127.0.0.1:1", dir, "m.db", NULL);
  CHECK_OK(syncagent_open_json(config, &a, &err));
  CHECK(syncagent_put(a, NULL, "k", "{}", &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "collection"),
        "put(collection NULL): %s", err.message);
  CHECK(syncagent_put(a, "c", NULL, "{}", &err) == SYNCAGENT_INVALID_ARGUMENT, "put(key NULL)");
  CHECK(syncagent_put(a, "c", "k", NULL, &err) == SYNCAGENT_INVALID_ARGUMENT, "put(json NULL)");
  CHECK(syncagent_put(a, "c", "k", "{\"a\":", &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "not valid JSON"),
        "put(bad JSON): %s", err.message);
  CHECK(syncagent_put(a, "c", "k", "[1,2]", &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "object"),
        "put(array): %s", err.message);
  CHECK(syncagent_put(a, "", "k", "{}", &err) == SYNCAGENT_INVALID_ARGUMENT,
        "put(empty collection): %d %s", err.code, err.message);
  CHECK(syncagent_patch(a, "c", "missing", "{\"x\":1}", &err) == SYNCAGENT_NOT_FOUND,
        "patch(missing): %d %s", err.code, err.message);
  CHECK(syncagent_delete(a, "c", "missing", &err) == SYNCAGENT_NOT_FOUND, "delete(missing)");
  CHECK(syncagent_get(a, "c", "k", NULL, &err) == SYNCAGENT_INVALID_ARGUMENT, "get(out NULL)");
  CHECK(syncagent_run_headless(a, NULL, 0, NULL, NULL, &err) == SYNCAGENT_INVALID_ARGUMENT,
        "run_headless(out NULL)");
  CHECK(syncagent_resolve_conflict(a, 1, NULL, &err) == SYNCAGENT_INVALID_ARGUMENT,
        "resolve(NULL)");
  CHECK(syncagent_resolve_conflict(a, 1, "{\"action\":\"use\"}", &err) ==
                SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "data"),
        "resolve(use without data): %s", err.message);
  CHECK(syncagent_resolve_conflict(a, 1, "not json", &err) == SYNCAGENT_INVALID_ARGUMENT,
        "resolve(not json)");

  /* The error is optional; a very long key's message is truncated, still NUL-terminated. */
  CHECK(syncagent_put(a, "c", "k", "{", NULL) == SYNCAGENT_INVALID_ARGUMENT, "err NULL");
  {
    char long_key[2000];
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    memset(err.message, 'x', sizeof err.message);
    CHECK(syncagent_patch(a, "c", long_key, "{\"x\":1}", &err) != 0, "patch long key");
    CHECK(strlen(err.message) < sizeof err.message, "message not terminated");
  }

  /* A sync against a closed port: the call succeeds, the report says retry. */
  CHECK_OK(syncagent_put(a, "c", "k", "{}", &err));
  CHECK_OK(syncagent_sync_now(a, 3000, &json, &err));
  CHECK(contains(json, "\"outcome\":\"retry\"") && contains(json, "\"error\":{"), "report %s",
        json);
  result = 0;
done:
  syncagent_free(json);
  syncagent_close(a);
  return result;
}

int capi_no_token_in_errors(const char* base_url, const char* dir, char* failure,
                            size_t failure_size) {
  static const char kToken[] = "tok-SECRET-abc123xyz";
  char config[2048];
  syncagent_error err;
  syncagent_agent* a = NULL;
  syncagent_agent* none = NULL;
  char* json = NULL;
  char* report = NULL;
  int result = 1;

  /* A config error beside a literal token: the message names the problem, not the token. */
  snprintf(config, sizeof config,
           "{\"server\":{\"base_url\":\"%s\",\"allow_insecure_http\":true,"
           "\"auth\":{\"type\":\"bearer\",\"token\":\"%s\"},\"timeouts\":{\"connect_ms\":0}},"
           "\"storage\":{\"path\":\"%s/t.db\"}}",
           base_url, kToken, dir);
  CHECK(syncagent_open_json(config, &none, &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "server.timeouts.connect_ms") && !contains(err.message, kToken),
        "config error: %s", err.message);
  /* A token with a space is invalid: refused without quoting it. */
  snprintf(config, sizeof config,
           "{\"server\":{\"base_url\":\"%s\",\"allow_insecure_http\":true,"
           "\"auth\":{\"type\":\"bearer\",\"token\":\"bad %s\"}},"
           "\"storage\":{\"path\":\"%s/t.db\"}}",
           base_url, kToken, dir);
  CHECK(syncagent_open_json(config, &none, &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "server.auth.token") && !contains(err.message, kToken),
        "bad token: %s", err.message);

  /* The server wants another token: 401, unauthenticated, the token nowhere in the output. */
  snprintf(config, sizeof config,
           "{\"server\":{\"base_url\":\"%s\",\"allow_insecure_http\":true,"
           "\"auth\":{\"type\":\"bearer\",\"token\":\"%s\"}},"
           "\"storage\":{\"path\":\"%s/t.db\"},"
           "\"retry\":{\"initial_delay_ms\":10,\"max_delay_ms\":50,\"max_attempts_per_cycle\":2}}",
           base_url, kToken, dir);
  CHECK_OK(syncagent_open_json(config, &a, &err));
  CHECK_OK(syncagent_put(a, "notes", "n", "{\"x\":1}", &err));
  CHECK_OK(syncagent_sync_now(a, 5000, &report, &err));
  CHECK(contains(report, "\"outcome\":\"failed\"") && contains(report, "UNAUTHENTICATED") &&
            !contains(report, kToken),
        "report %s", report);
  CHECK_OK(syncagent_status_json(a, &json, &err));
  CHECK(!contains(json, kToken) && contains(json, "\"last_outcome\":\"failed\""), "status %s",
        json);
  result = 0;
done:
  syncagent_free(json);
  syncagent_free(report);
  syncagent_close(a);
  return result;
}

/* The value of the string member "bookmark" of `json` copied into `out`; 0 when it is null. */
static int bookmark_of(const char* json, char* out, size_t size) {
  const char* at = json ? strstr(json, "\"bookmark\":\"") : NULL;
  const char* end;
  if (at == NULL) return 0;
  at += strlen("\"bookmark\":\"");
  end = strchr(at, '"');
  if (end == NULL || (size_t)(end - at) >= size) return 0;
  memcpy(out, at, (size_t)(end - at));
  out[end - at] = '\0';
  return 1;
}

int capi_query(const char* dir, char* failure, size_t failure_size) {
  char config[2048];
  char query[1024];
  char bookmark[512];
  syncagent_error err;
  syncagent_agent* a = NULL;
  char* json = NULL;
  int result = 1;

  make_config(config, sizeof config, "http://127.0.0.1:1", dir, "q.db", NULL);
  CHECK_OK(syncagent_open_json(config, &a, &err));
  CHECK_OK(syncagent_put(a, "notes", "a", "{\"n\":1,\"done\":false}", &err));
  CHECK_OK(syncagent_put(a, "notes", "b", "{\"n\":2,\"done\":true}", &err));
  CHECK_OK(syncagent_put(a, "notes", "c", "{\"n\":3,\"done\":false}", &err));

  CHECK_OK(syncagent_query_json(
      a, "notes", "{\"selector\":{\"done\":false},\"sort\":[{\"n\":\"desc\"}],\"limit\":1}",
      &json, &err));
  CHECK(contains(json, "\"key\":\"c\"") && !contains(json, "\"key\":\"a\"") &&
            contains(json, "\"sync_state\":\"pending\"") && contains(json, "\"rev\":\"\""),
        "first page %s", json);
  CHECK(bookmark_of(json, bookmark, sizeof bookmark), "no bookmark in %s", json);
  syncagent_free(json);
  json = NULL;
  snprintf(query, sizeof query,
           "{\"selector\":{\"done\":false},\"sort\":[{\"n\":\"desc\"}],\"bookmark\":\"%s\"}",
           bookmark);
  CHECK_OK(syncagent_query_json(a, "notes", query, &json, &err));
  CHECK(contains(json, "\"key\":\"a\"") && contains(json, "\"bookmark\":null"),
        "second page %s", json);
  syncagent_free(json);
  json = NULL;

  /* Misuse: an error, never a crash, and *out stays NULL. */
  CHECK(syncagent_query_json(NULL, "notes", "{}", &json, &err) == SYNCAGENT_INVALID_ARGUMENT &&
            json == NULL && contains(err.message, "agent"),
        "query(NULL agent): %s", err.message);
  CHECK(syncagent_query_json(a, NULL, "{}", &json, &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "collection"),
        "query(NULL collection): %s", err.message);
  CHECK(syncagent_query_json(a, "notes", NULL, &json, &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "query_json"),
        "query(NULL query): %s", err.message);
  CHECK(syncagent_query_json(a, "notes", "{}", NULL, &err) == SYNCAGENT_INVALID_ARGUMENT,
        "query(NULL out)");
  CHECK(syncagent_query_json(a, "notes", "{\"selector\":", &json, &err) ==
                SYNCAGENT_INVALID_ARGUMENT && json == NULL,
        "query(bad JSON): %s", err.message);
  CHECK(syncagent_query_json(a, "notes", "{\"selector\":{\"n\":{\"$regex\":\"x\"}}}", &json,
                             &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "query.selector.n.$regex: unknown operator $regex"),
        "query(unknown operator): %s", err.message);
  CHECK(syncagent_query_json(a, "notes", "{\"bookmark\":\"00\"}", &json, &err) ==
                SYNCAGENT_INVALID_ARGUMENT && contains(err.message, "bookmark"),
        "query(bad bookmark): %s", err.message);
  CHECK(syncagent_query_json(a, "notes", "[]", &json, &err) == SYNCAGENT_INVALID_ARGUMENT,
        "query(array)");
  CHECK(syncagent_query_json(a, "", "{}", &json, &err) == SYNCAGENT_INVALID_ARGUMENT,
        "query(empty collection)");
  result = 0;
done:
  syncagent_free(json);
  syncagent_close(a);
  return result;
}

int capi_changes(const char* dir, char* failure, size_t failure_size) {
  char config[2048];
  syncagent_error err;
  syncagent_agent* a = NULL;
  char* json = NULL;
  int result = 1;

  make_config(config, sizeof config, "http://127.0.0.1:1", dir, "ch.db", NULL);
  CHECK_OK(syncagent_open_json(config, &a, &err));
  CHECK_OK(syncagent_put(a, "notes", "a", "{}", &err));
  CHECK_OK(syncagent_put(a, "notes", "b", "{}", &err));
  CHECK_OK(syncagent_patch(a, "notes", "a", "{\"x\":1}", &err));
  CHECK_OK(syncagent_changes_json(a, 0, 100, &json, &err));
  CHECK(contains(json, "{\"collection\":\"notes\",\"deleted\":false,\"key\":\"b\",\"seq\":2,"
                       "\"source\":\"local\",\"sync_state\":\"pending\"}") &&
            contains(json, "\"key\":\"a\",\"seq\":3") && !contains(json, "\"seq\":1"),
        "changes %s", json);
  syncagent_free(json);
  json = NULL;
  CHECK_OK(syncagent_changes_json(a, 2, 1, &json, &err));
  CHECK(contains(json, "\"seq\":3") && !contains(json, "\"seq\":2"), "since 2: %s", json);
  syncagent_free(json);
  json = NULL;

  CHECK(syncagent_changes_json(NULL, 0, 10, &json, &err) == SYNCAGENT_INVALID_ARGUMENT &&
            json == NULL,
        "changes(NULL agent)");
  CHECK(syncagent_changes_json(a, 0, 10, NULL, &err) == SYNCAGENT_INVALID_ARGUMENT,
        "changes(NULL out)");
  CHECK(syncagent_changes_json(a, -1, 10, &json, &err) == SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "since"),
        "changes(since -1): %s", err.message);
  CHECK(syncagent_changes_json(a, 0, 0, &json, &err) == SYNCAGENT_INVALID_ARGUMENT,
        "changes(limit 0)");
  result = 0;
done:
  syncagent_free(json);
  syncagent_close(a);
  return result;
}
