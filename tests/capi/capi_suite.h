/* The C half of the C API tests: functions written in C99 against syncagent.h only, called by the
 * C++ gtest driver (capi_driver_test.cc), which owns the mock server and the temp dir (C cannot
 * start the in-process server). Each returns 0, or 1 with a one-line reason in `failure`. */
#ifndef SYNCAGENT_TESTS_CAPI_CAPI_SUITE_H_
#define SYNCAGENT_TESTS_CAPI_CAPI_SUITE_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Open from JSON, put/patch/delete/get, sync, read back from a second agent, status JSON, events.
 */
int capi_roundtrip(const char* base_url, const char* dir, char* failure, size_t failure_size);
/* Two agents edit one document: a resolver callback answers "use"; then a failing resolver leaves
 * the conflict open and syncagent_resolve_conflict settles it. */
int capi_conflicts(const char* base_url, const char* dir, char* failure, size_t failure_size);
/* syncagent_run_headless (success, skipped never here, result JSON), and syncagent_cancel from an
 * event callback stops sync_now and makes run_headless answer retry. */
int capi_headless_and_cancel(const char* base_url, const char* dir, char* failure,
                             size_t failure_size);
/* NULL handles and arguments, bad JSON, bad configs (messages name the JSON path), NOT_FOUND. */
int capi_misuse(const char* dir, char* failure, size_t failure_size);
/* syncagent_query_json: a selector, a sort, pages by bookmark, sync_state in each row; and its
 * misuse (NULL handle, collection, query or out; bad JSON; an unknown operator; a bad bookmark). */
int capi_query(const char* dir, char* failure, size_t failure_size);
/* syncagent_changes_json: one row per document with its latest seq, since/limit, sync_state; and
 * its misuse (NULL handle or out, a negative since, a zero limit). */
int capi_changes(const char* dir, char* failure, size_t failure_size);
/* syncagent_watch: the current result at once, a new one after each write that changes it and
 * none otherwise, unwatch (also from the callback) stops it, documents_changed names the keys;
 * misuse (NULL handle, collection, selector, callback or out; bad JSON, an unknown operator, a
 * bad sort, limit 0; unwatch of an unknown id). */
int capi_watch(const char* dir, char* failure, size_t failure_size);
/* A server that wants a token other than the one configured: the sync fails as unauthenticated
 * and neither the error, the report, the status nor any event contains the token; a config error
 * next to a literal token does not quote it either. */
int capi_no_token_in_errors(const char* base_url, const char* dir, char* failure,
                            size_t failure_size);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SYNCAGENT_TESTS_CAPI_CAPI_SUITE_H_ */
