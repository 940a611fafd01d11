// dart:ffi binding of syncagent's C API (include/syncagent/syncagent.h).
//
// Not built or tested in the syncagent repository (no Dart/Flutter SDK there); the C API it binds
// is built and tested (tests/capi). Every C function is looked up once per isolate; strings go in
// as UTF-8 (package:ffi's toNativeUtf8, freed with calloc.free) and come back malloc'ed by the
// library, converted and then freed with syncagent_free. Errors throw [SyncAgentException] with
// the C API's stable code and message.
//
// Blocking calls (syncNow, runHeadless) run the whole sync cycle on the calling thread: call them
// from a background isolate ([runHeadlessInIsolate]) or from background_fetch's headless task,
// never from the UI isolate's event loop. Events arrive through NativeCallable.listener (any
// thread -> this isolate), using syncagent_set_event_listener so each event string stays valid
// until Dart has read it; watch results (syncagent_watch) arrive the same way, the library
// handing over each result string. A conflict-resolver callback is not offered: it must answer
// synchronously on the sync thread, which a Dart isolate cannot; use the `manual` policy with
// [SyncAgent.conflicts] / [SyncAgent.resolveConflict] instead.
// ignore_for_file: non_constant_identifier_names

import 'dart:convert';
import 'dart:ffi';
import 'dart:io';
import 'dart:isolate';

import 'package:ffi/ffi.dart';

// ---------------------------------------------------------------------------------------------
// The C side.

/// typedef struct syncagent_error { int code; char message[512]; } syncagent_error;
final class SyncAgentErrorStruct extends Struct {
  @Int32()
  external int code;

  @Array(512)
  external Array<Uint8> message;
}

/// The opaque syncagent_agent.
final class SyncAgentHandle extends Opaque {}

typedef _VersionC = Pointer<Utf8> Function();
typedef _VersionD = Pointer<Utf8> Function();
typedef _FreeC = Void Function(Pointer<Void>);
typedef _FreeD = void Function(Pointer<Void>);
typedef _OpenC = Int32 Function(
    Pointer<Utf8>, Pointer<Pointer<SyncAgentHandle>>, Pointer<SyncAgentErrorStruct>);
typedef _OpenD = int Function(
    Pointer<Utf8>, Pointer<Pointer<SyncAgentHandle>>, Pointer<SyncAgentErrorStruct>);
typedef _CloseC = Void Function(Pointer<SyncAgentHandle>);
typedef _CloseD = void Function(Pointer<SyncAgentHandle>);
typedef _WriteC = Int32 Function(Pointer<SyncAgentHandle>, Pointer<Utf8>, Pointer<Utf8>,
    Pointer<Utf8>, Pointer<SyncAgentErrorStruct>);
typedef _WriteD = int Function(Pointer<SyncAgentHandle>, Pointer<Utf8>, Pointer<Utf8>,
    Pointer<Utf8>, Pointer<SyncAgentErrorStruct>);
typedef _DeleteC = Int32 Function(
    Pointer<SyncAgentHandle>, Pointer<Utf8>, Pointer<Utf8>, Pointer<SyncAgentErrorStruct>);
typedef _DeleteD = int Function(
    Pointer<SyncAgentHandle>, Pointer<Utf8>, Pointer<Utf8>, Pointer<SyncAgentErrorStruct>);
typedef _GetC = Int32 Function(Pointer<SyncAgentHandle>, Pointer<Utf8>, Pointer<Utf8>,
    Pointer<Pointer<Utf8>>, Pointer<SyncAgentErrorStruct>);
typedef _GetD = int Function(Pointer<SyncAgentHandle>, Pointer<Utf8>, Pointer<Utf8>,
    Pointer<Pointer<Utf8>>, Pointer<SyncAgentErrorStruct>);
typedef _ChangesC = Int32 Function(Pointer<SyncAgentHandle>, Int64, Int32,
    Pointer<Pointer<Utf8>>, Pointer<SyncAgentErrorStruct>);
typedef _ChangesD = int Function(Pointer<SyncAgentHandle>, int, int, Pointer<Pointer<Utf8>>,
    Pointer<SyncAgentErrorStruct>);
typedef _SyncNowC = Int32 Function(
    Pointer<SyncAgentHandle>, Int64, Pointer<Pointer<Utf8>>, Pointer<SyncAgentErrorStruct>);
typedef _SyncNowD = int Function(
    Pointer<SyncAgentHandle>, int, Pointer<Pointer<Utf8>>, Pointer<SyncAgentErrorStruct>);
typedef _RunHeadlessC = Int32 Function(Pointer<SyncAgentHandle>, Pointer<Utf8>, Int64,
    Pointer<Int32>, Pointer<Pointer<Utf8>>, Pointer<SyncAgentErrorStruct>);
typedef _RunHeadlessD = int Function(Pointer<SyncAgentHandle>, Pointer<Utf8>, int,
    Pointer<Int32>, Pointer<Pointer<Utf8>>, Pointer<SyncAgentErrorStruct>);
typedef _CancelC = Int32 Function(Pointer<SyncAgentHandle>);
typedef _CancelD = int Function(Pointer<SyncAgentHandle>);
typedef _JsonOutC = Int32 Function(
    Pointer<SyncAgentHandle>, Pointer<Pointer<Utf8>>, Pointer<SyncAgentErrorStruct>);
typedef _JsonOutD = int Function(
    Pointer<SyncAgentHandle>, Pointer<Pointer<Utf8>>, Pointer<SyncAgentErrorStruct>);
typedef _ResolveC = Int32 Function(
    Pointer<SyncAgentHandle>, Int64, Pointer<Utf8>, Pointer<SyncAgentErrorStruct>);
typedef _ResolveD = int Function(
    Pointer<SyncAgentHandle>, int, Pointer<Utf8>, Pointer<SyncAgentErrorStruct>);
typedef EventCallbackC = Void Function(Pointer<Utf8> eventJson, Pointer<Void> user);
typedef _SetEventCallbackC = Int32 Function(Pointer<SyncAgentHandle>,
    Pointer<NativeFunction<EventCallbackC>>, Pointer<Void>);
typedef _SetEventCallbackD = int Function(Pointer<SyncAgentHandle>,
    Pointer<NativeFunction<EventCallbackC>>, Pointer<Void>);
typedef WatchCallbackC = Void Function(
    Int64 watchId, Int32 code, Pointer<Utf8> json, Pointer<Void> user);
typedef _WatchC = Int32 Function(Pointer<SyncAgentHandle>, Pointer<Utf8>, Pointer<Utf8>,
    Pointer<Utf8>, Int32, Pointer<NativeFunction<WatchCallbackC>>, Pointer<Void>,
    Pointer<Int64>, Pointer<SyncAgentErrorStruct>);
typedef _WatchD = int Function(Pointer<SyncAgentHandle>, Pointer<Utf8>, Pointer<Utf8>,
    Pointer<Utf8>, int, Pointer<NativeFunction<WatchCallbackC>>, Pointer<Void>,
    Pointer<Int64>, Pointer<SyncAgentErrorStruct>);
typedef _UnwatchC = Int32 Function(
    Pointer<SyncAgentHandle>, Int64, Pointer<SyncAgentErrorStruct>);
typedef _UnwatchD = int Function(Pointer<SyncAgentHandle>, int, Pointer<SyncAgentErrorStruct>);
typedef _ResolverC = Int32 Function(Pointer<Utf8>, Pointer<Pointer<Utf8>>, Pointer<Void>);
typedef _SetResolverC = Int32 Function(
    Pointer<SyncAgentHandle>, Pointer<NativeFunction<_ResolverC>>, Pointer<Void>);
typedef _SetResolverD = int Function(
    Pointer<SyncAgentHandle>, Pointer<NativeFunction<_ResolverC>>, Pointer<Void>);

/// Status codes (syncagent::StatusCode; stable).
abstract final class SyncAgentCode {
  static const ok = 0;
  static const invalidArgument = 1;
  static const notFound = 2;
  static const alreadyExists = 3;
  static const failedPrecondition = 4;
  static const aborted = 5;
  static const unavailable = 6;
  static const deadlineExceeded = 7;
  static const cancelled = 8;
  static const permissionDenied = 9;
  static const unauthenticated = 10;
  static const resourceExhausted = 11;
  static const dataLoss = 12;
  static const internal = 13;
  static const ioError = 14;
}

/// Every function of libsyncagent, looked up once per isolate.
final class SyncAgentBindings {
  SyncAgentBindings(DynamicLibrary lib)
      : version = lib.lookupFunction<_VersionC, _VersionD>('syncagent_version'),
        free = lib.lookupFunction<_FreeC, _FreeD>('syncagent_free'),
        openJson = lib.lookupFunction<_OpenC, _OpenD>('syncagent_open_json'),
        openFile = lib.lookupFunction<_OpenC, _OpenD>('syncagent_open_file'),
        close = lib.lookupFunction<_CloseC, _CloseD>('syncagent_close'),
        put = lib.lookupFunction<_WriteC, _WriteD>('syncagent_put'),
        patch = lib.lookupFunction<_WriteC, _WriteD>('syncagent_patch'),
        delete = lib.lookupFunction<_DeleteC, _DeleteD>('syncagent_delete'),
        get = lib.lookupFunction<_GetC, _GetD>('syncagent_get'),
        queryJson = lib.lookupFunction<_GetC, _GetD>('syncagent_query_json'),
        changesJson = lib.lookupFunction<_ChangesC, _ChangesD>('syncagent_changes_json'),
        watch = lib.lookupFunction<_WatchC, _WatchD>('syncagent_watch'),
        unwatch = lib.lookupFunction<_UnwatchC, _UnwatchD>('syncagent_unwatch'),
        syncNow = lib.lookupFunction<_SyncNowC, _SyncNowD>('syncagent_sync_now'),
        runHeadless =
            lib.lookupFunction<_RunHeadlessC, _RunHeadlessD>('syncagent_run_headless'),
        cancel = lib.lookupFunction<_CancelC, _CancelD>('syncagent_cancel'),
        statusJson = lib.lookupFunction<_JsonOutC, _JsonOutD>('syncagent_status_json'),
        setEventCallback = lib.lookupFunction<_SetEventCallbackC, _SetEventCallbackD>(
            'syncagent_set_event_callback'),
        setEventListener = lib.lookupFunction<_SetEventCallbackC, _SetEventCallbackD>(
            'syncagent_set_event_listener'),
        setConflictResolver = lib.lookupFunction<_SetResolverC, _SetResolverD>(
            'syncagent_set_conflict_resolver'),
        conflictsJson = lib.lookupFunction<_JsonOutC, _JsonOutD>('syncagent_conflicts_json'),
        resolveConflict =
            lib.lookupFunction<_ResolveC, _ResolveD>('syncagent_resolve_conflict');

  final _VersionD version;
  final _FreeD free;
  final _OpenD openJson;
  final _OpenD openFile;
  final _CloseD close;
  final _WriteD put;
  final _WriteD patch;
  final _DeleteD delete;
  final _GetD get;
  final _GetD queryJson; // (agent, collection, query_json, out, err): the same shape as get
  final _ChangesD changesJson;
  final _WatchD watch;
  final _UnwatchD unwatch;
  final _SyncNowD syncNow;
  final _RunHeadlessD runHeadless;
  final _CancelD cancel;
  final _JsonOutD statusJson;
  final _SetEventCallbackD setEventCallback;
  final _SetEventCallbackD setEventListener;
  final _SetResolverD setConflictResolver; // looked up for completeness; see the file comment
  final _JsonOutD conflictsJson;
  final _ResolveD resolveConflict;

  static SyncAgentBindings? _instance;

  /// libsyncagent for this platform (iOS: linked into the app; Android: libsyncagent.so).
  static SyncAgentBindings get instance => _instance ??= SyncAgentBindings(_openLibrary());

  static DynamicLibrary _openLibrary() {
    if (Platform.isIOS || Platform.isMacOS) return DynamicLibrary.process();
    if (Platform.isWindows) return DynamicLibrary.open('syncagent.dll');
    return DynamicLibrary.open('libsyncagent.so');
  }
}

// ---------------------------------------------------------------------------------------------
// The Dart side.

class SyncAgentException implements Exception {
  SyncAgentException(this.code, this.message);
  final int code;
  final String message;
  @override
  String toString() => 'SyncAgentException($code): $message';
}

/// What a background run tells the OS: success / retry / failure, plus the details.
enum HeadlessResult { success, retry, failure }

class HeadlessRun {
  HeadlessRun(this.result, this.details);
  final HeadlessResult result;
  final Map<String, dynamic> details; // {"result","skipped","reason","attempt","cycle":{...}}
}

String _message(Pointer<SyncAgentErrorStruct> err) {
  final bytes = <int>[];
  for (var i = 0; i < 512; i++) {
    final b = err.ref.message[i];
    if (b == 0) break;
    bytes.add(b);
  }
  return utf8.decode(bytes, allowMalformed: true);
}

/// Runs `body` with a zeroed error struct and native strings allocated in an arena; throws on a
/// non-zero return.
T _call<T>(T Function(Arena arena, Pointer<SyncAgentErrorStruct> err, void Function(int) check)
    body) {
  return using((arena) {
    final err = arena<SyncAgentErrorStruct>();
    void check(int rc) {
      if (rc != SyncAgentCode.ok) throw SyncAgentException(rc, _message(err));
    }

    return body(arena, err, check);
  });
}

/// Converts and frees a string returned by the library.
String? _take(Pointer<Utf8> p) {
  if (p == nullptr) return null;
  try {
    return p.toDartString();
  } finally {
    SyncAgentBindings.instance.free(p.cast());
  }
}

/// An open agent. Not thread-confined, but [close] must not race other calls.
class SyncAgent {
  SyncAgent._(this._handle);

  Pointer<SyncAgentHandle> _handle;
  NativeCallable<EventCallbackC>? _listener;
  // One listener for every watch of this agent; results are routed by watch id, and a result
  // still queued for a watch that was unwatched meanwhile is dropped here.
  NativeCallable<WatchCallbackC>? _watchListener;
  final Map<int, void Function(Map<String, dynamic>? result, SyncAgentException? error)>
      _watches = {};
  static SyncAgentBindings get _b => SyncAgentBindings.instance;

  static String get version => _b.version().toDartString();

  /// Opens from a JSON config (use an absolute storage.path, e.g. in the app's documents dir).
  static SyncAgent openJson(String configJson) => _open(configJson, _b.openJson);

  /// Opens from a config file; relative paths resolve against its directory.
  static SyncAgent openFile(String path) => _open(path, _b.openFile);

  static SyncAgent _open(String arg, _OpenD open) => _call((arena, err, check) {
        final out = arena<Pointer<SyncAgentHandle>>();
        check(open(arg.toNativeUtf8(allocator: arena), out, err));
        return SyncAgent._(out.value);
      });

  /// Rebuilds a handle from [address] in another isolate (see [runHeadlessInIsolate]).
  SyncAgent.fromAddress(int address) : _handle = Pointer.fromAddress(address);
  int get address => _handle.address;

  void close() {
    _b.close(_handle);
    _handle = nullptr;
    _listener?.close();
    _listener = null;
    _watches.clear();
    _watchListener?.close();
    _watchListener = null;
  }

  void put(String collection, String key, Map<String, dynamic> data) =>
      _write(_b.put, collection, key, jsonEncode(data));

  /// RFC 7396 merge patch (null removes a field).
  void patch(String collection, String key, Map<String, dynamic> mergePatch) =>
      _write(_b.patch, collection, key, jsonEncode(mergePatch));

  void _write(_WriteD fn, String collection, String key, String json) =>
      _call((arena, err, check) => check(fn(
          _handle,
          collection.toNativeUtf8(allocator: arena),
          key.toNativeUtf8(allocator: arena),
          json.toNativeUtf8(allocator: arena),
          err)));

  void delete(String collection, String key) => _call((arena, err, check) => check(_b.delete(
      _handle,
      collection.toNativeUtf8(allocator: arena),
      key.toNativeUtf8(allocator: arena),
      err)));

  /// The document, or null when it does not exist.
  Map<String, dynamic>? get(String collection, String key) => _call((arena, err, check) {
        final out = arena<Pointer<Utf8>>();
        final rc = _b.get(_handle, collection.toNativeUtf8(allocator: arena),
            key.toNativeUtf8(allocator: arena), out, err);
        if (rc == SyncAgentCode.notFound) return null;
        check(rc);
        return jsonDecode(_take(out.value)!) as Map<String, dynamic>;
      });

  /// One page of the live documents matching a Mango selector (docs/queries.md):
  /// {"docs": [{"key","data","rev","sync_state"}], "bookmark": String?}. [query] is
  /// {"selector": {...}, "sort": [...], "limit": n, "skip": n, "bookmark": "..."}.
  Map<String, dynamic> query(String collection, Map<String, dynamic> query) =>
      _call((arena, err, check) {
        final out = arena<Pointer<Utf8>>();
        check(_b.queryJson(_handle, collection.toNativeUtf8(allocator: arena),
            jsonEncode(query).toNativeUtf8(allocator: arena), out, err));
        return jsonDecode(_take(out.value)!) as Map<String, dynamic>;
      });

  /// The change feed after [since]: [{"seq","collection","key","deleted","source","sync_state"}].
  List<dynamic> changes({int since = 0, int limit = 1000}) => _call((arena, err, check) {
        final out = arena<Pointer<Utf8>>();
        check(_b.changesJson(_handle, since, limit, out, err));
        return jsonDecode(_take(out.value)!) as List<dynamic>;
      });

  /// One sync cycle (blocking); the report {"outcome","pushed","pulled",...,"error"}.
  Map<String, dynamic> syncNow({Duration? budget}) => _call((arena, err, check) {
        final out = arena<Pointer<Utf8>>();
        check(_b.syncNow(_handle, budget?.inMilliseconds ?? 0, out, err));
        return jsonDecode(_take(out.value)!) as Map<String, dynamic>;
      });

  /// The headless task body (blocking): single flight, logged, returns before [budget].
  HeadlessRun runHeadless({String? taskId, Duration? budget}) => _call((arena, err, check) {
        final result = arena<Int32>();
        final out = arena<Pointer<Utf8>>();
        final id = (taskId ?? '').toNativeUtf8(allocator: arena);
        check(_b.runHeadless(_handle, id, budget?.inMilliseconds ?? 0, result, out, err));
        final details = jsonDecode(_take(out.value)!) as Map<String, dynamic>;
        return HeadlessRun(HeadlessResult.values[result.value], details);
      });

  /// [runHeadless] on a background isolate, so the calling isolate stays responsive.
  /// [cancel] may be called meanwhile from this isolate (e.g. on background_fetch's timeout).
  Future<HeadlessRun> runHeadlessInIsolate({String? taskId, Duration? budget}) {
    final address = this.address;
    return Isolate.run(() =>
        SyncAgent.fromAddress(address).runHeadless(taskId: taskId, budget: budget));
  }

  /// Cancels the running syncNow / runHeadless (any isolate or thread).
  void cancel() => _b.cancel(_handle);

  Map<String, dynamic> status() => _jsonOut(_b.statusJson) as Map<String, dynamic>;

  /// The open conflicts (policy `manual`).
  List<dynamic> conflicts() => _jsonOut(_b.conflictsJson) as List<dynamic>;

  /// action: take_remote | keep_local | use (with data) | delete.
  void resolveConflict(int id, String action, {Map<String, dynamic>? data}) {
    final resolution = jsonEncode({'action': action, if (data != null) 'data': data});
    _call((arena, err, check) =>
        check(_b.resolveConflict(_handle, id, resolution.toNativeUtf8(allocator: arena), err)));
  }

  Object _jsonOut(_JsonOutD fn) => _call((arena, err, check) {
        final out = arena<Pointer<Utf8>>();
        check(fn(_handle, out, err));
        return jsonDecode(_take(out.value)!) as Object;
      });

  /// A live query: [onResult] gets the current result of [selector] / [sort] / [limit] over
  /// [collection] (as [query]'s {"docs", "bookmark"}), then a new one after each committed change
  /// that alters it, or an error when re-running the query failed (the watch stays). Results
  /// arrive asynchronously on this isolate. Returns the id for [unwatch]. A bad selector or sort
  /// throws [SyncAgentException] (invalidArgument) naming the JSON path.
  int watch(String collection, Map<String, dynamic> selector,
      {List<dynamic>? sort,
      int limit = 25,
      required void Function(Map<String, dynamic>? result, SyncAgentException? error)
          onResult}) {
    final listener = _watchListener ??= NativeCallable<WatchCallbackC>.listener(
        (int id, int code, Pointer<Utf8> json, Pointer<Void> user) {
      final text = _take(json) ?? '';
      final handler = _watches[id];
      if (handler == null) return; // unwatched meanwhile
      if (code == SyncAgentCode.ok) {
        handler(jsonDecode(text) as Map<String, dynamic>, null);
      } else {
        handler(null, SyncAgentException(code, text));
      }
    });
    return _call((arena, err, check) {
      final out = arena<Int64>();
      check(_b.watch(
          _handle,
          collection.toNativeUtf8(allocator: arena),
          jsonEncode(selector).toNativeUtf8(allocator: arena),
          sort == null ? nullptr : jsonEncode(sort).toNativeUtf8(allocator: arena),
          limit,
          listener.nativeFunction,
          nullptr,
          out,
          err));
      // The first result is posted to this isolate and read after this returns: registered in
      // time.
      _watches[out.value] = onResult;
      return out.value;
    });
  }

  /// Stops a watch: no result of it reaches [watch]'s onResult after this returns.
  void unwatch(int watchId) {
    _watches.remove(watchId);
    _call((arena, err, check) => check(_b.unwatch(_handle, watchId, err)));
  }

  /// Sync events on this isolate ({"type","time_ms","count","collection","key","detail"}).
  /// They are delivered asynchronously: the library hands over a malloc'ed copy of each event
  /// (syncagent_set_event_listener), freed here once decoded. null removes the listener.
  void onEvent(void Function(Map<String, dynamic> event)? handler) {
    _b.setEventListener(_handle, nullptr, nullptr);
    _listener?.close();
    _listener = null;
    if (handler == null) return;
    final callable = NativeCallable<EventCallbackC>.listener(
        (Pointer<Utf8> json, Pointer<Void> user) {
      final text = _take(json);
      if (text != null) handler(jsonDecode(text) as Map<String, dynamic>);
    });
    _listener = callable;
    final rc = _b.setEventListener(_handle, callable.nativeFunction, nullptr);
    if (rc != SyncAgentCode.ok) throw SyncAgentException(rc, 'agent is closed');
  }
}
