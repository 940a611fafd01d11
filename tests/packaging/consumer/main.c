/* A downstream C program: prints the library version, then checks the error path of opening an
 * agent on a bad config (missing server.base_url) and on a missing config file.
 * Usage: consumer EXPECTED_VERSION DIR   (exit 0 when everything is as expected) */
#include <stdio.h>
#include <string.h>

#include <syncagent/syncagent.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: consumer EXPECTED_VERSION DIR\n");
    return 2;
  }
  const char* version = syncagent_version();
  printf("syncagent_version() = %s\n", version);
  if (strcmp(version, argv[1]) != 0) {
    fprintf(stderr, "expected version %s\n", argv[1]);
    return 1;
  }

  syncagent_agent* agent = NULL;
  syncagent_error err;
  int rc = syncagent_open_json("{\"storage\": {\"path\": \"x.db\"}}", &agent, &err);
  printf("syncagent_open_json(bad config) = %d: %s\n", rc, err.message);
  if (rc != SYNCAGENT_INVALID_ARGUMENT || err.code != rc || agent != NULL ||
      strstr(err.message, "server.base_url") == NULL) {
    fprintf(stderr, "expected SYNCAGENT_INVALID_ARGUMENT naming server.base_url\n");
    return 1;
  }

  char path[4096];
  snprintf(path, sizeof(path), "%s/does-not-exist.json", argv[2]);
  rc = syncagent_open_file(path, &agent, &err);
  printf("syncagent_open_file(missing) = %d: %s\n", rc, err.message);
  if (rc == SYNCAGENT_OK || agent != NULL || strstr(err.message, "does-not-exist.json") == NULL) {
    fprintf(stderr, "expected an error naming the missing file\n");
    return 1;
  }
  printf("consumer: ok\n");
  return 0;
}
