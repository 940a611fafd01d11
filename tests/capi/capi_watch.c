/* C99 tests of syncagent_watch / syncagent_unwatch and the documents_changed event: compiled as
 * C with -std=c99 -pedantic -Werror against syncagent.h only, like capi_suite.c. */
#include <stdlib.h>
#include <string.h>

#include "capi_check.h"
#include "capi_suite.h"
#include "syncagent/syncagent.h"

typedef struct watch_log {
  int calls;
  int errors;
  int64_t last_id;
  char last[4096];        /* the last result (or error message), truncated */
  syncagent_agent* agent; /* for unwatch_self */
  int unwatch_self;       /* unwatch from inside the callback on the next call */
  int unwatch_rc;         /* what that unwatch returned */
} watch_log;

static void on_watch(int64_t watch_id, int code, char* json, void* user) {
  watch_log* log = (watch_log*)user;
  log->calls++;
  if (code != SYNCAGENT_OK) log->errors++;
  log->last_id = watch_id;
  strncpy(log->last, json != NULL ? json : "", sizeof log->last - 1);
  log->last[sizeof log->last - 1] = '\0';
  syncagent_free(json); /* the callee owns it */
  if (log->unwatch_self) {
    log->unwatch_self = 0;
    log->unwatch_rc = syncagent_unwatch(log->agent, watch_id, NULL);
  }
}

typedef struct changed_log {
  int events;
  char last[1024];
} changed_log;

static void on_changed(const char* event_json, void* user) {
  changed_log* log = (changed_log*)user;
  if (strstr(event_json, "\"type\":\"documents_changed\"") == NULL) return;
  log->events++;
  strncpy(log->last, event_json, sizeof log->last - 1);
  log->last[sizeof log->last - 1] = '\0';
}

int capi_watch(const char* dir, char* failure, size_t failure_size) {
  char config[2048];
  syncagent_error err;
  syncagent_agent* a = NULL;
  watch_log log;
  watch_log self;
  changed_log changed;
  int64_t id = 0;
  int64_t self_id = 0;
  int result = 1;

  memset(&log, 0, sizeof log);
  memset(&self, 0, sizeof self);
  memset(&changed, 0, sizeof changed);
  make_config(config, sizeof config, "http://127.0.0.1:1", dir, "watch.db", NULL);
  CHECK_OK(syncagent_open_json(config, &a, &err));
  CHECK_OK(syncagent_set_event_callback(a, on_changed, &changed));
  CHECK_OK(syncagent_put(a, "notes", "a", "{\"done\":false,\"n\":2}", &err));
  CHECK(changed.events == 1 && contains(changed.last, "{\"collection\":\"notes\",\"key\":\"a\"}"),
        "documents_changed after a put: %d, %s", changed.events, changed.last);

  /* The current result first, on this thread, before syncagent_watch returns. */
  CHECK_OK(syncagent_watch(a, "notes", "{\"done\":false}", "[{\"n\":\"desc\"}]", 10, on_watch, &log,
                           &id, &err));
  CHECK(id > 0 && log.calls == 1 && log.last_id == id && contains(log.last, "\"key\":\"a\""),
        "first result: id %lld, %d calls, %s", (long long)id, log.calls, log.last);
  CHECK_OK(syncagent_put(a, "notes", "b", "{\"done\":false,\"n\":5}", &err));
  CHECK(log.calls == 2 && contains(log.last, "\"key\":\"b\"") &&
            strstr(log.last, "\"key\":\"b\"") < strstr(log.last, "\"key\":\"a\""),
        "after put b (sorted by n desc): %d calls, %s", log.calls, log.last);
  /* Changes that cannot alter the result call nothing back. */
  CHECK_OK(syncagent_put(a, "notes", "c", "{\"done\":true}", &err));
  CHECK_OK(syncagent_put(a, "tasks", "t", "{\"done\":false}", &err));
  CHECK(log.calls == 2 && log.errors == 0, "unchanged result called back: %d", log.calls);
  CHECK_OK(syncagent_unwatch(a, id, &err));
  CHECK_OK(syncagent_put(a, "notes", "d", "{\"done\":false}", &err));
  CHECK(log.calls == 2, "called after unwatch: %d", log.calls);
  CHECK(syncagent_unwatch(a, id, &err) == SYNCAGENT_NOT_FOUND && contains(err.message, "watch"),
        "second unwatch: %s", err.message);
  CHECK(syncagent_unwatch(a, 987654, &err) == SYNCAGENT_NOT_FOUND, "unwatch of an unknown id");

  /* A callback may unwatch its own watch. */
  self.agent = a;
  CHECK_OK(syncagent_watch(a, "notes", "{}", NULL, 10, on_watch, &self, &self_id, &err));
  self.unwatch_self = 1;
  CHECK_OK(syncagent_put(a, "notes", "e", "{}", &err));
  CHECK(self.calls == 2 && self.unwatch_rc == SYNCAGENT_OK, "self unwatch: %d calls, rc %d",
        self.calls, self.unwatch_rc);
  CHECK_OK(syncagent_put(a, "notes", "f", "{}", &err));
  CHECK(self.calls == 2, "called after unwatching itself: %d", self.calls);

  /* Misuse: an error, never a crash, and nothing registered. */
  CHECK(syncagent_watch(NULL, "notes", "{}", NULL, 5, on_watch, &log, &id, &err) ==
                SYNCAGENT_INVALID_ARGUMENT &&
            id == 0,
        "watch(NULL agent)");
  CHECK(syncagent_watch(a, NULL, "{}", NULL, 5, on_watch, &log, &id, &err) ==
                SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "collection"),
        "watch(NULL collection): %s", err.message);
  CHECK(syncagent_watch(a, "notes", NULL, NULL, 5, on_watch, &log, &id, &err) ==
                SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "selector_json"),
        "watch(NULL selector): %s", err.message);
  CHECK(syncagent_watch(a, "notes", "{}", NULL, 5, NULL, &log, &id, &err) ==
                SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "cb"),
        "watch(NULL cb): %s", err.message);
  CHECK(syncagent_watch(a, "notes", "{}", NULL, 5, on_watch, &log, NULL, &err) ==
                SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "out_watch_id"),
        "watch(NULL out): %s", err.message);
  CHECK(syncagent_watch(a, "notes", "{not json", NULL, 5, on_watch, &log, &id, &err) ==
                SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "selector_json"),
        "watch(bad JSON): %s", err.message);
  CHECK(syncagent_watch(a, "notes", "{\"n\":{\"$bogus\":1}}", NULL, 5, on_watch, &log, &id, &err) ==
                SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "watch.selector.n") && contains(err.message, "$bogus"),
        "watch(unknown operator): %s", err.message);
  CHECK(syncagent_watch(a, "notes", "{}", "[1]", 5, on_watch, &log, &id, &err) ==
                SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "watch.sort"),
        "watch(bad sort): %s", err.message);
  CHECK(syncagent_watch(a, "notes", "{}", NULL, 0, on_watch, &log, &id, &err) ==
                SYNCAGENT_INVALID_ARGUMENT &&
            contains(err.message, "limit"),
        "watch(limit 0): %s", err.message);
  CHECK(log.calls == 2, "a refused watch called back: %d", log.calls);
  CHECK(syncagent_unwatch(NULL, 1, &err) == SYNCAGENT_INVALID_ARGUMENT, "unwatch(NULL agent)");
  result = 0;
done:
  syncagent_close(a);
  return result;
}
