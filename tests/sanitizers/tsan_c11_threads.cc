// Linked into every executable of a TSan build (CMakeLists.txt,
// leadflow_sanitizer_support): makes C11 threads visible to ThreadSanitizer.
//
// librdkafka starts its threads with C11 thrd_create(). glibc implements it
// with an internal call to pthread_create that TSan's interceptor never sees,
// so such a thread has no TSan state and crashes in its first malloc (seen in
// getaddrinfo on a librdkafka broker thread). glibc's other C11 thread calls
// bypass TSan the same way: thrd_join/thrd_detach (a detached thread is then
// reported as leaked), and the mtx_* and cnd_* calls librdkafka guards its
// queues with, so TSan sees no order between a message enqueued on one thread
// and its delivery report on another and reports a race in leadflow's
// callback. These definitions take precedence over glibc's for librdkafka.so
// and call the pthread functions TSan intercepts (glibc's C11 types are
// layout-compatible with the pthread ones they wrap). The start routine's int result
// travels as the thread's void* result, which thrd_join() turns back into it.
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <new>

namespace {

struct Start {
  thrd_start_t fn;
  void* arg;
};

void* RunC11Thread(void* p) {
  const Start start = *static_cast<Start*>(p);
  delete static_cast<Start*>(p);
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(start.fn(start.arg)));
}

}  // namespace

extern "C" int thrd_create(thrd_t* thread, thrd_start_t fn, void* arg) {
  auto* start = new (std::nothrow) Start{fn, arg};
  if (start == nullptr) return thrd_nomem;
  const int r = pthread_create(thread, nullptr, RunC11Thread, start);
  if (r == 0) return thrd_success;
  delete start;
  return r == EAGAIN ? thrd_nomem : thrd_error;
}

extern "C" int thrd_join(thrd_t thread, int* result) {
  void* value = nullptr;
  if (pthread_join(thread, &value) != 0) return thrd_error;
  if (result != nullptr) *result = static_cast<int>(reinterpret_cast<std::intptr_t>(value));
  return thrd_success;
}

extern "C" int thrd_detach(thrd_t thread) {
  return pthread_detach(thread) == 0 ? thrd_success : thrd_error;
}

namespace {

int C11Result(int pthread_result) {
  switch (pthread_result) {
    case 0:
      return thrd_success;
    case ETIMEDOUT:
      return thrd_timedout;
    case EBUSY:
      return thrd_busy;
    case ENOMEM:
      return thrd_nomem;
    default:
      return thrd_error;
  }
}

pthread_mutex_t* P(mtx_t* m) { return reinterpret_cast<pthread_mutex_t*>(m); }
pthread_cond_t* P(cnd_t* c) { return reinterpret_cast<pthread_cond_t*>(c); }

}  // namespace

extern "C" int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if ((type & mtx_recursive) != 0) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  const int r = pthread_mutex_init(P(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return C11Result(r);
}
extern "C" int mtx_lock(mtx_t* m) { return C11Result(pthread_mutex_lock(P(m))); }
extern "C" int mtx_trylock(mtx_t* m) { return C11Result(pthread_mutex_trylock(P(m))); }
extern "C" int mtx_timedlock(mtx_t* __restrict m, const struct timespec* __restrict at) {
  return C11Result(pthread_mutex_timedlock(P(m), at));
}
extern "C" int mtx_unlock(mtx_t* m) { return C11Result(pthread_mutex_unlock(P(m))); }
extern "C" void mtx_destroy(mtx_t* m) { pthread_mutex_destroy(P(m)); }

extern "C" int cnd_init(cnd_t* c) { return C11Result(pthread_cond_init(P(c), nullptr)); }
extern "C" int cnd_signal(cnd_t* c) { return C11Result(pthread_cond_signal(P(c))); }
extern "C" int cnd_broadcast(cnd_t* c) { return C11Result(pthread_cond_broadcast(P(c))); }
extern "C" int cnd_wait(cnd_t* c, mtx_t* m) { return C11Result(pthread_cond_wait(P(c), P(m))); }
extern "C" int cnd_timedwait(cnd_t* __restrict c, mtx_t* __restrict m,
                             const struct timespec* __restrict at) {
  return C11Result(pthread_cond_timedwait(P(c), P(m), at));
}
extern "C" void cnd_destroy(cnd_t* c) { pthread_cond_destroy(P(c)); }
