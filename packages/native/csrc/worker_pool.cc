#include "worker_pool.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <atomic>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void cpu_relax() { _mm_pause(); }
#else
static inline void cpu_relax() {}
#endif

namespace trl {
namespace {

// How long the helper keeps polling after a task before it sleeps on the condition variable.
constexpr int64_t kSpinNanoseconds = 100 * 1000;

struct Pool {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
  alignas(64) std::atomic<uint64_t> posted{0};
  alignas(64) std::atomic<uint64_t> finished{0};
  // The last ticket whose part 1 someone took: the helper, or the caller when the helper is slow
  // to wake (a busy machine), so a late helper never leaves the caller waiting.
  alignas(64) std::atomic<uint64_t> claimed{0};
  alignas(64) std::atomic<bool> busy{false};
  PoolTask task = nullptr;
  void* context = nullptr;
};

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

uint64_t wait_for_work(Pool* pool, uint64_t seen) {
  const int64_t deadline = now_ns() + kSpinNanoseconds;
  for (int i = 0;; ++i) {
    const uint64_t posted = pool->posted.load(std::memory_order_acquire);
    if (posted != seen) return posted;
    if ((i & 255) == 255 && now_ns() > deadline) break;
    cpu_relax();
  }
  pthread_mutex_lock(&pool->mutex);
  while (pool->posted.load(std::memory_order_acquire) == seen) pthread_cond_wait(&pool->wake, &pool->mutex);
  const uint64_t posted = pool->posted.load(std::memory_order_acquire);
  pthread_mutex_unlock(&pool->mutex);
  return posted;
}

void* helper_main(void* arg) {
  Pool* pool = static_cast<Pool*>(arg);
  uint64_t seen = 0;
  for (;;) {
    seen = wait_for_work(pool, seen);
    uint64_t expected = seen - 1;
    if (!pool->claimed.compare_exchange_strong(expected, seen, std::memory_order_acq_rel)) continue;
    pool->task(pool->context, 1);
    pool->finished.store(seen, std::memory_order_release);
  }
  return nullptr;
}

// Deliberately never freed: the helper lives as long as the process, and joining it from a
// static destructor at exit could hang.
Pool* start_pool() {
  Pool* pool = new Pool();
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  const int rc = pthread_create(&thread, &attr, helper_main, pool);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete pool;
    return nullptr;
  }
  return pool;
}

Pool* shared_pool() {
  static Pool* pool = start_pool();
  return pool;
}

}  // namespace

bool run_on_two_threads(PoolTask task, void* context) {
  Pool* pool = shared_pool();
  if (pool == nullptr) return false;
  bool expected = false;
  if (!pool->busy.compare_exchange_strong(expected, true, std::memory_order_acquire)) return false;

  pool->task = task;
  pool->context = context;
  pthread_mutex_lock(&pool->mutex);
  const uint64_t ticket = pool->posted.load(std::memory_order_relaxed) + 1;
  pool->posted.store(ticket, std::memory_order_release);
  pthread_cond_signal(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);

  task(context, 0);

  uint64_t unclaimed = ticket - 1;
  if (pool->claimed.compare_exchange_strong(unclaimed, ticket, std::memory_order_acq_rel)) {
    task(context, 1);
    pool->busy.store(false, std::memory_order_release);
    return true;
  }
  for (int i = 0; pool->finished.load(std::memory_order_acquire) != ticket; ++i) {
    if (i < 20000) {
      cpu_relax();
    } else {
      sched_yield();
    }
  }
  pool->busy.store(false, std::memory_order_release);
  return true;
}

}  // namespace trl
