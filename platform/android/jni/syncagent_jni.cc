// syncagent_jni: the JNI bridge of dev.syncagent.SyncAgentNative, written against the public C
// header only (include/syncagent/syncagent.h), as an app would (ARCHITECTURE.md: adapters that
// call the agent use the C API). Every failure becomes a dev.syncagent.SyncAgentException carrying
// the C API's code and message.
//
// Strings cross the boundary as real UTF-8 (converted from/to Java's UTF-16 here), not JNI's
// "modified UTF-8", so documents with emoji or NUL characters survive the trip.
//
// Thread safety: as the C API's. Every native method may be called from any Java thread;
// cancel() is meant to be called from WorkManager's onStopped while doWork() is in runHeadless().
#include <jni.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "syncagent/syncagent.h"

namespace {

constexpr const char* kExceptionClass = "dev/syncagent/SyncAgentException";
constexpr const char* kHeadlessRunClass = "dev/syncagent/HeadlessRun";

syncagent_agent* AgentOf(jlong handle) {
  return reinterpret_cast<syncagent_agent*>(static_cast<intptr_t>(handle));
}

// UTF-16 (Java) -> UTF-8. Unpaired surrogates become U+FFFD.
std::string ToUtf8(const jchar* s, jsize n) {
  std::string out;
  out.reserve(static_cast<size_t>(n));
  for (jsize i = 0; i < n; ++i) {
    uint32_t c = s[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// UTF-8 -> UTF-16. Invalid sequences become U+FFFD.
std::u16string ToUtf16(const char* s) {
  std::u16string out;
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  while (*p != 0) {
    uint32_t c = *p;
    int extra = c < 0x80           ? 0
                : (c >> 5) == 0x6  ? 1
                : (c >> 4) == 0xE  ? 2
                : (c >> 3) == 0x1E ? 3
                                   : -1;
    if (extra < 0) {
      out += u'\uFFFD';
      ++p;
      continue;
    }
    c = extra == 0 ? c : extra == 1 ? (c & 0x1F) : extra == 2 ? (c & 0x0F) : (c & 0x07);
    bool ok = true;
    for (int k = 1; k <= extra; ++k) {
      if ((p[k] & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      c = (c << 6) | (p[k] & 0x3F);
    }
    if (!ok || c > 0x10FFFF) {
      out += u'\uFFFD';
      ++p;
      continue;
    }
    p += extra + 1;
    if (c >= 0x10000) {
      c -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (c >> 10));
      out += static_cast<char16_t>(0xDC00 + (c & 0x3FF));
    } else {
      out += static_cast<char16_t>(c);
    }
  }
  return out;
}

// A Java string argument as UTF-8; nullopt for null (the C API then reports the NULL).
std::optional<std::string> Arg(JNIEnv* env, jstring s) {
  if (s == nullptr) return std::nullopt;
  const jsize n = env->GetStringLength(s);
  const jchar* chars = env->GetStringChars(s, nullptr);
  if (chars == nullptr) return std::nullopt;
  std::string out = ToUtf8(chars, n);
  env->ReleaseStringChars(s, chars);
  return out;
}
const char* CStr(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }

jstring ToJava(JNIEnv* env, const char* utf8) {
  if (utf8 == nullptr) return nullptr;
  std::u16string text = ToUtf16(utf8);
  return env->NewString(reinterpret_cast<const jchar*>(text.data()),
                        static_cast<jsize>(text.size()));
}

void ThrowSyncAgentException(JNIEnv* env, int code, const char* message) {
  if (env->ExceptionCheck()) return;  // keep the first pending exception
  jclass cls = env->FindClass(kExceptionClass);
  if (cls == nullptr) return;  // NoClassDefFoundError is pending
  jmethodID ctor = env->GetMethodID(cls, "<init>", "(ILjava/lang/String;)V");
  if (ctor == nullptr) return;
  jstring text = ToJava(env, message);
  if (text == nullptr) return;
  auto exception =
      static_cast<jthrowable>(env->NewObject(cls, ctor, static_cast<jint>(code), text));
  if (exception != nullptr) env->Throw(exception);
}

// A C API string result as a Java string; frees it.
jstring Take(JNIEnv* env, char* utf8) {
  jstring out = ToJava(env, utf8);
  syncagent_free(utf8);
  return out;
}

// Throws when rc != 0; returns true when the call succeeded.
bool Check(JNIEnv* env, int rc, const syncagent_error& err) {
  if (rc == SYNCAGENT_OK) return true;
  ThrowSyncAgentException(env, rc, err.message[0] ? err.message : "syncagent error");
  return false;
}

}  // namespace

extern "C" {

JNIEXPORT jstring JNICALL Java_dev_syncagent_SyncAgentNative_version(JNIEnv* env, jclass) {
  return ToJava(env, syncagent_version());
}

JNIEXPORT jlong JNICALL Java_dev_syncagent_SyncAgentNative_open(JNIEnv* env, jclass,
                                                                jstring config_json) {
  auto config = Arg(env, config_json);
  syncagent_agent* agent = nullptr;
  syncagent_error err;
  if (!Check(env, syncagent_open_json(CStr(config), &agent, &err), err)) return 0;
  return static_cast<jlong>(reinterpret_cast<intptr_t>(agent));
}

JNIEXPORT jlong JNICALL Java_dev_syncagent_SyncAgentNative_openFile(JNIEnv* env, jclass,
                                                                    jstring path) {
  auto p = Arg(env, path);
  syncagent_agent* agent = nullptr;
  syncagent_error err;
  if (!Check(env, syncagent_open_file(CStr(p), &agent, &err), err)) return 0;
  return static_cast<jlong>(reinterpret_cast<intptr_t>(agent));
}

JNIEXPORT void JNICALL Java_dev_syncagent_SyncAgentNative_close(JNIEnv*, jclass, jlong handle) {
  syncagent_close(AgentOf(handle));
}

JNIEXPORT void JNICALL Java_dev_syncagent_SyncAgentNative_put(JNIEnv* env, jclass, jlong handle,
                                                              jstring collection, jstring key,
                                                              jstring json) {
  auto c = Arg(env, collection), k = Arg(env, key), j = Arg(env, json);
  syncagent_error err;
  Check(env, syncagent_put(AgentOf(handle), CStr(c), CStr(k), CStr(j), &err), err);
}

JNIEXPORT void JNICALL Java_dev_syncagent_SyncAgentNative_patch(JNIEnv* env, jclass, jlong handle,
                                                                jstring collection, jstring key,
                                                                jstring json) {
  auto c = Arg(env, collection), k = Arg(env, key), j = Arg(env, json);
  syncagent_error err;
  Check(env, syncagent_patch(AgentOf(handle), CStr(c), CStr(k), CStr(j), &err), err);
}

JNIEXPORT void JNICALL Java_dev_syncagent_SyncAgentNative_delete(JNIEnv* env, jclass, jlong handle,
                                                                 jstring collection, jstring key) {
  auto c = Arg(env, collection), k = Arg(env, key);
  syncagent_error err;
  Check(env, syncagent_delete(AgentOf(handle), CStr(c), CStr(k), &err), err);
}

// null when the document does not exist (NOT_FOUND is not exceptional for a read).
JNIEXPORT jstring JNICALL Java_dev_syncagent_SyncAgentNative_get(JNIEnv* env, jclass, jlong handle,
                                                                 jstring collection, jstring key) {
  auto c = Arg(env, collection), k = Arg(env, key);
  char* json = nullptr;
  syncagent_error err;
  const int rc = syncagent_get(AgentOf(handle), CStr(c), CStr(k), &json, &err);
  if (rc == SYNCAGENT_NOT_FOUND) return nullptr;
  if (!Check(env, rc, err)) return nullptr;
  return Take(env, json);
}

JNIEXPORT jstring JNICALL Java_dev_syncagent_SyncAgentNative_syncNow(JNIEnv* env, jclass,
                                                                     jlong handle,
                                                                     jlong budget_ms) {
  char* report = nullptr;
  syncagent_error err;
  if (!Check(env, syncagent_sync_now(AgentOf(handle), budget_ms, &report, &err), err)) {
    return nullptr;
  }
  return Take(env, report);
}

JNIEXPORT jobject JNICALL Java_dev_syncagent_SyncAgentNative_runHeadless(JNIEnv* env, jclass,
                                                                         jlong handle,
                                                                         jstring task_id,
                                                                         jlong budget_ms) {
  auto id = Arg(env, task_id);
  int task_result = SYNCAGENT_TASK_FAILURE;
  char* json = nullptr;
  syncagent_error err;
  const int rc =
      syncagent_run_headless(AgentOf(handle), CStr(id), budget_ms, &task_result, &json, &err);
  if (!Check(env, rc, err)) return nullptr;
  jstring details = Take(env, json);
  if (env->ExceptionCheck()) return nullptr;
  jclass cls = env->FindClass(kHeadlessRunClass);
  if (cls == nullptr) return nullptr;
  jmethodID ctor = env->GetMethodID(cls, "<init>", "(ILjava/lang/String;)V");
  if (ctor == nullptr) return nullptr;
  return env->NewObject(cls, ctor, static_cast<jint>(task_result), details);
}

// true when the handle was valid (whether or not something was running).
JNIEXPORT jboolean JNICALL Java_dev_syncagent_SyncAgentNative_cancel(JNIEnv*, jclass,
                                                                     jlong handle) {
  return syncagent_cancel(AgentOf(handle)) == SYNCAGENT_OK ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jstring JNICALL Java_dev_syncagent_SyncAgentNative_statusJson(JNIEnv* env, jclass,
                                                                        jlong handle) {
  char* json = nullptr;
  syncagent_error err;
  if (!Check(env, syncagent_status_json(AgentOf(handle), &json, &err), err)) return nullptr;
  return Take(env, json);
}

JNIEXPORT jstring JNICALL Java_dev_syncagent_SyncAgentNative_conflictsJson(JNIEnv* env, jclass,
                                                                           jlong handle) {
  char* json = nullptr;
  syncagent_error err;
  if (!Check(env, syncagent_conflicts_json(AgentOf(handle), &json, &err), err)) return nullptr;
  return Take(env, json);
}

JNIEXPORT void JNICALL Java_dev_syncagent_SyncAgentNative_resolveConflict(JNIEnv* env, jclass,
                                                                          jlong handle, jlong id,
                                                                          jstring resolution) {
  auto r = Arg(env, resolution);
  syncagent_error err;
  Check(env, syncagent_resolve_conflict(AgentOf(handle), id, CStr(r), &err), err);
}

}  // extern "C"
