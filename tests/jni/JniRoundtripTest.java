package dev.syncagent.jnitest;

import dev.syncagent.HeadlessRun;
import dev.syncagent.SyncAgentException;
import dev.syncagent.SyncAgentNative;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The JNI bridge end to end, as an Android app uses it: SyncAgentNative against the
 * syncagent-mock-server executable (started here, its port read from its first stdout line).
 *
 * <p>Usage: java -Djava.library.path=DIR dev.syncagent.jnitest.JniRoundtripTest MOCK_SERVER_BINARY
 * Exit status 0 when every check passed; each check prints one line.
 */
public final class JniRoundtripTest {
  private static int checks = 0;
  private static final List<Process> servers = new ArrayList<>();

  private static void check(boolean condition, String what) {
    checks++;
    if (!condition) throw new AssertionError(what);
  }

  private static void checkContains(String text, String needle, String what) {
    check(text != null && text.contains(needle), what + ": expected " + needle + " in " + text);
  }

  interface Body {
    void run() throws Exception;
  }

  private static SyncAgentException expectThrows(Body body, int code, String needle, String what)
      throws Exception {
    try {
      body.run();
    } catch (SyncAgentException e) {
      check(e.getCode() == code, what + ": code " + e.getCode() + " (" + e.getMessage() + "), want " + code);
      if (needle != null) checkContains(e.getMessage(), needle, what);
      return e;
    }
    throw new AssertionError(what + ": no SyncAgentException");
  }

  /** Starts the mock server; returns its base URL. */
  private static String startServer(String binary, String... flags) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(binary);
    command.add("--port");
    command.add("0");
    for (String f : flags) command.add(f);
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    servers.add(process);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("listening on ")) {
      throw new IOException("mock server did not start: " + line);
    }
    return line.substring("listening on ".length()).trim();
  }

  private static String config(String baseUrl, Path dir, String db) {
    return "{\"server\":{\"base_url\":\"" + baseUrl + "\",\"allow_insecure_http\":true,"
        + "\"timeouts\":{\"request_ms\":20000}},"
        + "\"storage\":{\"path\":\"" + dir.resolve(db) + "\"},"
        + "\"schedule\":{\"task_id\":\"dev.syncagent.test\",\"time_budget_seconds\":20},"
        + "\"retry\":{\"initial_delay_ms\":10,\"max_delay_ms\":50,\"max_attempts_per_cycle\":2}}";
  }

  private static void run(String binary, Path dir) throws Exception {
    String version = SyncAgentNative.version();
    check(version != null && !version.isEmpty(), "version " + version);

    // Errors become SyncAgentException with the C API's code and a message naming the JSON path.
    expectThrows(() -> SyncAgentNative.open("{}"), SyncAgentException.INVALID_ARGUMENT,
        "server.base_url", "open({})");
    expectThrows(() -> SyncAgentNative.open("{nope"), SyncAgentException.INVALID_ARGUMENT,
        "line 1", "open(not JSON)");
    expectThrows(() -> SyncAgentNative.open(null), SyncAgentException.INVALID_ARGUMENT,
        "config_json", "open(null)");
    expectThrows(() -> SyncAgentNative.openFile(dir.resolve("missing.json").toString()),
        SyncAgentException.NOT_FOUND, "missing.json", "openFile(missing)");
    expectThrows(() -> SyncAgentNative.put(0, "c", "k", "{}"), SyncAgentException.INVALID_ARGUMENT,
        "agent", "put(handle 0)");
    expectThrows(() -> SyncAgentNative.runHeadless(0, null, 1000),
        SyncAgentException.INVALID_ARGUMENT, "agent", "runHeadless(handle 0)");
    check(!SyncAgentNative.cancel(0), "cancel(0) is false");
    SyncAgentNative.close(0);  // no-op

    String baseUrl = startServer(binary);
    long a = SyncAgentNative.open(config(baseUrl, dir, "a.db"));
    long b = SyncAgentNative.open(config(baseUrl, dir, "b.db"));
    try {
      check(a != 0 && b != 0, "handles");
      // Bad input on a good handle.
      expectThrows(() -> SyncAgentNative.put(a, "notes", "k", "{\"x\":"),
          SyncAgentException.INVALID_ARGUMENT, "not valid JSON", "put(bad JSON)");
      expectThrows(() -> SyncAgentNative.put(a, "notes", "k", "[1]"),
          SyncAgentException.INVALID_ARGUMENT, "object", "put(array)");
      expectThrows(() -> SyncAgentNative.put(a, null, "k", "{}"),
          SyncAgentException.INVALID_ARGUMENT, "collection", "put(null collection)");
      expectThrows(() -> SyncAgentNative.patch(a, "notes", "missing", "{\"x\":1}"),
          SyncAgentException.NOT_FOUND, null, "patch(missing)");
      expectThrows(() -> SyncAgentNative.resolveConflict(a, 42, "{\"action\":\"bogus\"}"),
          SyncAgentException.INVALID_ARGUMENT, "action", "resolveConflict(bad action)");

      // Local writes, with text outside the BMP (real UTF-8 both ways, not modified UTF-8).
      String title = "caf\u00e9 \uD83D\uDE80 \u65e5\u672c";
      SyncAgentNative.put(a, "notes", "n1", "{\"title\":\"" + title + "\"}");
      SyncAgentNative.put(a, "notes", "n2", "{\"n\":2}");
      SyncAgentNative.patch(a, "notes", "n2", "{\"m\":3}");
      SyncAgentNative.put(a, "notes", "gone", "{}");
      SyncAgentNative.delete(a, "notes", "gone");
      checkContains(SyncAgentNative.get(a, "notes", "n1"), title, "get n1");
      checkContains(SyncAgentNative.get(a, "notes", "n2"), "\"m\":3", "get patched n2");
      check(SyncAgentNative.get(a, "notes", "gone") == null, "deleted document reads as null");
      check(SyncAgentNative.get(a, "notes", "never") == null, "absent document reads as null");

      // The WorkManager path: runHeadless -> success, logged.
      HeadlessRun run = SyncAgentNative.runHeadless(a, "dev.syncagent.test", 15000);
      check(run.result == HeadlessRun.SUCCESS, "runHeadless " + run);
      checkContains(run.json, "\"result\":\"success\"", "headless json");
      checkContains(run.json, "\"outcome\":\"done\"", "headless cycle");
      String status = SyncAgentNative.statusJson(a);
      checkContains(status, "\"queue_depth\":0", "status after run");
      checkContains(status, "\"schedule_health\"", "status health");

      // The other device receives it through the server.
      String report = SyncAgentNative.syncNow(b, 15000);
      checkContains(report, "\"outcome\":\"done\"", "b syncNow");
      checkContains(SyncAgentNative.get(b, "notes", "n1"), title, "b got n1 unchanged");
      check(SyncAgentNative.get(b, "notes", "gone") == null, "b has no deleted doc");
      checkContains(SyncAgentNative.conflictsJson(b), "[]", "no conflicts");
    } finally {
      SyncAgentNative.close(a);
      SyncAgentNative.close(b);
    }

    // onStopped: cancel from another thread while runHeadless waits on a slow server.
    Path faults = dir.resolve("slow.json");
    Files.writeString(faults, "{\"faults\":[{\"match\":{\"path\":\"/v1/*\",\"times\":-1},"
        + "\"action\":{\"kind\":\"delay\",\"delay_ms\":10000}}]}");
    String slowUrl = startServer(binary, "--faults", faults.toString());
    long c = SyncAgentNative.open(config(slowUrl, dir, "c.db"));
    try {
      SyncAgentNative.put(c, "notes", "slow", "{\"x\":1}");
      AtomicReference<Object> outcome = new AtomicReference<>();
      Thread worker = new Thread(() -> {
        try {
          outcome.set(SyncAgentNative.runHeadless(c, null, 20000));
        } catch (Throwable t) {
          outcome.set(t);
        }
      });
      long started = System.nanoTime();
      worker.start();
      Thread.sleep(500);
      check(SyncAgentNative.cancel(c), "cancel(c)");
      worker.join(15000);
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      check(!worker.isAlive(), "runHeadless did not return after cancel");
      check(outcome.get() instanceof HeadlessRun, "runHeadless outcome " + outcome.get());
      HeadlessRun stopped = (HeadlessRun) outcome.get();
      check(stopped.result == HeadlessRun.RETRY, "cancelled run should ask for a retry: " + stopped);
      check(elapsedMs < 5000, "cancel took " + elapsedMs + " ms");
      checkContains(SyncAgentNative.statusJson(c), "\"queue_depth\":1", "nothing lost");
    } finally {
      SyncAgentNative.close(c);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: JniRoundtripTest MOCK_SERVER_BINARY");
      System.exit(2);
    }
    Path dir = Files.createTempDirectory("syncagent-jni");
    int status = 0;
    try {
      run(args[0], dir);
      System.out.println("jni_roundtrip_test: " + checks + " checks passed");
    } catch (Throwable t) {
      System.out.println("jni_roundtrip_test: FAILED after " + checks + " checks: " + t);
      t.printStackTrace(System.out);
      status = 1;
    } finally {
      for (Process p : servers) {
        p.destroy();
        p.waitFor();
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
    System.exit(status);
  }
}
