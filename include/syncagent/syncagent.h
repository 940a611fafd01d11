/* syncagent.h: the C ABI of syncagent, for FFI (Dart, Python), JNI (Android) and Swift (iOS).
 *
 * A thin shim over the C++ Agent (agent/agent.h): opaque handles, plain C types, JSON text for
 * documents and reports, and errors as {code, message}. The header is C99 and C++ compatible.
 *
 * Error model
 *   Every function that can fail returns an int status code: 0 (SYNCAGENT_OK) on success, else one
 *   of the SYNCAGENT_* codes below (the numbers of syncagent::StatusCode; they are stable). When
 *   the optional `err` argument is not NULL it is filled on failure with the same code and a
 *   NUL-terminated message (truncated to fit) and cleared (code 0, empty message) on success.
 *   API misuse — a NULL handle, a NULL required argument, text that is not JSON — is reported as
 *   SYNCAGENT_INVALID_ARGUMENT with a message; it never crashes. JSON text passed in is checked
 *   for depth before it is parsed: a document (or patch) nested deeper than 32 levels is refused
 *   with "json: nested deeper than 32 levels (the document limit)", on any thread's stack.
 *   Messages and the string values of reports (status, sync and headless results) never contain
 *   the bearer token or header values (secrets of 4 bytes or more are replaced by "***"); document
 *   data (get, conflicts, resolver sides) is returned exactly as stored, even when it happens to
 *   contain a secret's text.
 *
 * Memory
 *   Strings handed to the caller through `char** out_...` are allocated with malloc and must be
 *   freed with syncagent_free(). On failure *out is set to NULL. Strings passed in are borrowed
 *   for the duration of the call only and must be UTF-8.
 *
 * Thread safety
 *   A handle may be used from several threads at once: local reads and writes are serialised by
 *   the store, and sync cycles run one at a time (syncagent_sync_now / syncagent_run_headless on
 *   a second thread wait for, or — headless — skip because of, the running one).
 *   syncagent_cancel may be called from any thread at any time, including from an OS expiration
 *   handler while another thread is inside syncagent_run_headless.
 *   syncagent_close must not race any other call on the same handle: cancel, wait for the running
 *   calls to return, then close.
 *   Callbacks (events, conflict resolver) run on the thread running the sync cycle, except the
 *   documents_changed event and watch callbacks (syncagent_watch): they run on the thread that
 *   committed the change, after its transaction — the caller's own thread after a local write,
 *   the cycle's during a sync. Inside a callback, the only syncagent functions that may be
 *   called on the same handle are syncagent_cancel and syncagent_unwatch. After syncagent_close
 *   (or after replacing a callback, or after syncagent_unwatch) returns, the old callback is
 *   never called again.
 */
#ifndef SYNCAGENT_INCLUDE_SYNCAGENT_SYNCAGENT_H_
#define SYNCAGENT_INCLUDE_SYNCAGENT_SYNCAGENT_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#if defined(SYNCAGENT_BUILDING_LIBRARY)
#define SYNCAGENT_API __declspec(dllexport)
#else
#define SYNCAGENT_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define SYNCAGENT_API __attribute__((visibility("default")))
#else
#define SYNCAGENT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes (syncagent::StatusCode). */
#define SYNCAGENT_OK 0
#define SYNCAGENT_INVALID_ARGUMENT 1
#define SYNCAGENT_NOT_FOUND 2
#define SYNCAGENT_ALREADY_EXISTS 3
#define SYNCAGENT_FAILED_PRECONDITION 4
#define SYNCAGENT_ABORTED 5
#define SYNCAGENT_UNAVAILABLE 6
#define SYNCAGENT_DEADLINE_EXCEEDED 7
#define SYNCAGENT_CANCELLED 8
#define SYNCAGENT_PERMISSION_DENIED 9
#define SYNCAGENT_UNAUTHENTICATED 10
#define SYNCAGENT_RESOURCE_EXHAUSTED 11
#define SYNCAGENT_DATA_LOSS 12
#define SYNCAGENT_INTERNAL 13
#define SYNCAGENT_IO_ERROR 14

/* Results of syncagent_run_headless, in the OS's vocabulary (WorkManager Result, iOS
 * setTaskCompleted(success: result == SYNCAGENT_TASK_SUCCESS)). */
#define SYNCAGENT_TASK_SUCCESS 0
#define SYNCAGENT_TASK_RETRY 1
#define SYNCAGENT_TASK_FAILURE 2

#define SYNCAGENT_ERROR_MESSAGE_SIZE 512

typedef struct syncagent_error {
  int code;                                   /* 0 = ok, else a SYNCAGENT_* code */
  char message[SYNCAGENT_ERROR_MESSAGE_SIZE]; /* NUL-terminated, "" when ok */
} syncagent_error;

/* An open agent: a local store plus the sync engine (opaque). */
typedef struct syncagent_agent syncagent_agent;

/* Called with one event as JSON: {"type","time_ms","count","collection","key","detail"}; type is
 * cycle_started, batch_pushed, page_pulled, conflict, conflict_resolved, dead_letter,
 * cycle_finished, remote_skipped, server_reset or documents_changed. documents_changed comes
 * after committed transactions that changed documents, with "keys": [{"collection","key"},...]
 * (each once; "count" is their number); during a sync, the keys of the transactions within one
 * event-throttle interval fold into one event, and none is left out by the end of the cycle. */
typedef void (*syncagent_event_fn)(const char* event_json, void* user);
/* The same, for asynchronous listeners (Dart's NativeCallable.listener, a post to a UI thread):
 * the callee owns `event_json` and frees it with syncagent_free, whenever it is done with it. */
typedef void (*syncagent_event_listener_fn)(char* event_json, void* user);

/* Called with a watch's result (syncagent_watch). `code` is SYNCAGENT_OK and `json` the result
 * {"docs":[...],"bookmark":...} as syncagent_query_json's, or `code` is the error that re-running
 * the query met and `json` its message (the watch stays; the next change re-runs it). The callee
 * owns `json` and frees it with syncagent_free, whenever it is done with it (so an asynchronous
 * listener, e.g. Dart's NativeCallable.listener, may keep it). */
typedef void (*syncagent_watch_fn)(int64_t watch_id, int code, char* json, void* user);

/* Asked first when a conflict is met. `sides_json` is
 *   {"collection","key","base":SIDE,"local":SIDE,"remote":SIDE},
 *   SIDE = {"exists":bool,"deleted":bool,"data":object|null,"hlc":string,"rev":string}:
 *   "rev" is the server's revision, an opaque token ("" = none; since 0.2.0, which replaced the
 *   integer "version" so that servers with non-numeric revisions fit).
 * Return 0 and set *out_resolution_json to a malloc'ed JSON text
 *   {"action":"take_remote"|"keep_local"|"use"|"delete"|"leave_open"|"defer","data":{...}}
 * ("data" only with "use"; "defer" = use the configured policy). syncagent frees it with free().
 * A non-zero return, a NULL or invalid answer leave the conflict open (see syncagent_conflicts_json):
 * nothing is lost. */
typedef int (*syncagent_resolver_fn)(const char* sides_json, char** out_resolution_json,
                                     void* user);

/* The library version, e.g. "0.2.0". Static storage; never NULL. */
SYNCAGENT_API const char* syncagent_version(void);

/* Frees a string returned by this API. NULL is a no-op. */
SYNCAGENT_API void syncagent_free(void* p);

/* Opens an agent from a JSON config text (docs/config.md). A relative storage.path is relative to
 * the process's working directory: mobile apps should pass an absolute path. Config errors are
 * SYNCAGENT_INVALID_ARGUMENT, one line per error, each naming the JSON path. */
SYNCAGENT_API int syncagent_open_json(const char* config_json, syncagent_agent** out,
                                      syncagent_error* err);
/* Opens an agent from a config file; relative paths inside resolve against its directory. */
SYNCAGENT_API int syncagent_open_file(const char* path, syncagent_agent** out,
                                      syncagent_error* err);
/* Closes the agent and frees the handle. NULL is a no-op. */
SYNCAGENT_API void syncagent_close(syncagent_agent* agent);

/* --- Local data: one transaction each, never touches the network. --- */

/* Replaces the document with `json` (a JSON object). */
SYNCAGENT_API int syncagent_put(syncagent_agent* agent, const char* collection, const char* key,
                                const char* json, syncagent_error* err);
/* Applies `json_merge_patch` (RFC 7396, a JSON object) to the document. */
SYNCAGENT_API int syncagent_patch(syncagent_agent* agent, const char* collection, const char* key,
                                  const char* json_merge_patch, syncagent_error* err);
SYNCAGENT_API int syncagent_delete(syncagent_agent* agent, const char* collection, const char* key,
                                   syncagent_error* err);
/* The document's data as JSON text; SYNCAGENT_NOT_FOUND when absent or deleted. */
SYNCAGENT_API int syncagent_get(syncagent_agent* agent, const char* collection, const char* key,
                                char** out_json, syncagent_error* err);

/* One page of the live documents of `collection` that match a Mango selector (docs/queries.md).
 * `query_json` = {"selector":{...},"sort":["a",{"b":"desc"}],"limit":N,"skip":N,"bookmark":"..."}
 * (every member optional: "{}" is the first 25 documents by key). *out_json receives
 *   {"docs":[{"key","data","rev","sync_state"},...],"bookmark":"..."|null}
 * sync_state: "pending" (a local change queued or on the wire), "synced", "conflict" (open) or
 * "rejected" (dead-lettered). Pass the bookmark back for the next page; null when the page came
 * back short. A bad query is SYNCAGENT_INVALID_ARGUMENT naming the JSON path and the operator
 * ("query.selector.n.$in: wrong operand type for $in: expected an array, got a number"). */
SYNCAGENT_API int syncagent_query_json(syncagent_agent* agent, const char* collection,
                                       const char* query_json, char** out_json,
                                       syncagent_error* err);

/* The local change feed: each document's latest change with seq > `since`, oldest first, at most
 * `limit` (1..10000). *out_json receives
 *   [{"seq","collection","key","deleted","source","sync_state"},...]
 * source: "local" (the device's writes, their acks and dead letters), "remote" (pulled),
 * "resolution" (a conflict resolved). Keep the last seq and pass it as `since` next time. */
SYNCAGENT_API int syncagent_changes_json(syncagent_agent* agent, int64_t since, int limit,
                                         char** out_json, syncagent_error* err);

/* A live query over `collection`: `selector_json` a Mango selector ("{}" = every document),
 * `sort_json` as syncagent_query_json's "sort" (NULL = by key), `limit` 1..10000. `cb` is called
 * with the current result first (on this thread before syncagent_watch returns, unless another
 * thread is delivering at that moment), then after each committed transaction that changed a
 * document of `collection` (local writes, pulls, acknowledgements, resolutions) whenever the
 * result differs from the one it last got: coalesced, never while a transaction is open.
 * *out_watch_id receives the id for syncagent_unwatch (the callback gets it too). A bad selector
 * or sort is SYNCAGENT_INVALID_ARGUMENT naming the JSON path ("watch.selector.n.$in: ..."). */
SYNCAGENT_API int syncagent_watch(syncagent_agent* agent, const char* collection,
                                  const char* selector_json, const char* sort_json, int limit,
                                  syncagent_watch_fn cb, void* user, int64_t* out_watch_id,
                                  syncagent_error* err);
/* Stops a watch: once this returns, its callback is not running and is never called again (it
 * waits for a running call, unless called from that callback). SYNCAGENT_NOT_FOUND for an id
 * that is not watched (never returned, or already unwatched). */
SYNCAGENT_API int syncagent_unwatch(syncagent_agent* agent, int64_t watch_id,
                                    syncagent_error* err);

/* --- Sync. --- */

/* Runs one sync cycle with `budget_ms` (<= 0: schedule.time_budget_seconds). Returns 0 when the
 * cycle ran, whatever its outcome; *out_report_json (may be NULL) receives the report
 * {"outcome":"done"|"partial"|"retry"|"failed","pushed",...,"error":{...}}. */
SYNCAGENT_API int syncagent_sync_now(syncagent_agent* agent, int64_t budget_ms,
                                     char** out_report_json, syncagent_error* err);

/* The body of an OS background task (BGTaskScheduler launch handler, WorkManager doWork): a
 * single-flight run (a concurrent or duplicate run returns at once as success, "skipped": true),
 * logged in the run log, with a watchdog that returns before `budget_ms` (<= 0: the config's
 * budget) ends. `task_id` NULL or "": schedule.task_id. *out_task_result receives
 * SYNCAGENT_TASK_SUCCESS / _RETRY / _FAILURE; *out_result_json (may be NULL) the details
 * {"result","skipped","reason","attempt","retry_delay_ms","cycle":{...}}. Returns 0 when the task
 * ran, whatever its result. */
SYNCAGENT_API int syncagent_run_headless(syncagent_agent* agent, const char* task_id,
                                         int64_t budget_ms, int* out_task_result,
                                         char** out_result_json, syncagent_error* err);

/* Cancels the running syncagent_sync_now / syncagent_run_headless calls of this agent (the OS's
 * expiration handler / onStopped). They stop promptly, checkpointed. Any thread; returns 0 (also
 * when nothing was running). */
SYNCAGENT_API int syncagent_cancel(syncagent_agent* agent);

/* {"queue_depth","local_only","remote_skips","dead_letters","open_conflicts","documents",
 *  "last_outcome","last_error","last_success_ms",...,
 *  "schedule_health":{"runs","successes","starved","verdict",...}}
 * local_only: queued writes of collections not in sync.collections (never pushed);
 * remote_skips: server documents this device cannot take (past the document limits). */
SYNCAGENT_API int syncagent_status_json(syncagent_agent* agent, char** out_json,
                                        syncagent_error* err);

/* --- Callbacks (NULL removes). --- */
/* `event_json` is only valid during the call. */
SYNCAGENT_API int syncagent_set_event_callback(syncagent_agent* agent, syncagent_event_fn cb,
                                               void* user);
/* Like syncagent_set_event_callback (and replacing it), but each event is a malloc'ed copy that
 * the listener frees with syncagent_free. */
SYNCAGENT_API int syncagent_set_event_listener(syncagent_agent* agent,
                                               syncagent_event_listener_fn cb, void* user);
SYNCAGENT_API int syncagent_set_conflict_resolver(syncagent_agent* agent, syncagent_resolver_fn cb,
                                                  void* user);

/* --- Conflicts left open (policy `manual`, or a resolver that left them open). --- */

/* [{"id","collection","key","origin","base":SIDE,"local":SIDE,"remote":SIDE,"created_at"}, ...] */
SYNCAGENT_API int syncagent_conflicts_json(syncagent_agent* agent, char** out_json,
                                           syncagent_error* err);
/* `resolution_json` = {"action":"take_remote"|"keep_local"|"use"|"delete","data":{...}}
 * ("data", a JSON object, only with "use"). NOT_FOUND for an unknown id. */
SYNCAGENT_API int syncagent_resolve_conflict(syncagent_agent* agent, int64_t id,
                                             const char* resolution_json, syncagent_error* err);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SYNCAGENT_INCLUDE_SYNCAGENT_SYNCAGENT_H_ */
