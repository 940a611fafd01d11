// Test helper: runs a body on a thread with a 512 KiB stack (iOS's default for a background
// thread), to prove that deep JSON never recurses on an app's thread.
#ifndef SYNCAGENT_TESTS_COMMON_SMALL_STACK_H_
#define SYNCAGENT_TESTS_COMMON_SMALL_STACK_H_

#include <gtest/gtest.h>
#include <pthread.h>

#include <functional>

namespace syncagent::testing {

inline void OnSmallStack(std::function<void()> body) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 512 * 1024), 0);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    (*static_cast<std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, run, &body), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

}  // namespace syncagent::testing

#endif  // SYNCAGENT_TESTS_COMMON_SMALL_STACK_H_
