/* The parallel loops of parallel.h, on POSIX threads and C11 atomics. */
#include "parallel.h"
#include <stdlib.h>

static int threads_for_loops = 1;

void set_optim_threads(int n) { threads_for_loops = n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : n; }

int optim_threads(void) { return threads_for_loops; }

static void take_items(parallel_loop *l, int worker) {
  for (;;) {
    const size_t i = atomic_fetch_add(&l->next, 1);
    if (i >= l->count || atomic_load(&l->failed)) break;
    if (!l->fn(l->ctx, l->order != NULL ? l->order[i] : i, worker)) atomic_store(&l->failed, true);
  }
}

static void *run_helper(void *arg) {
  const loop_seat *s = (const loop_seat *)arg;
  take_items(s->loop, s->worker);
  return NULL;
}

void loop_start(parallel_loop *l, size_t count, const size_t *order, int helpers, item_fn fn, void *ctx) {
  l->count = count;
  l->order = order;
  l->fn = fn;
  l->ctx = ctx;
  atomic_store(&l->next, 0);
  atomic_store(&l->failed, false);
  l->started = 0;
  if (helpers > MAX_WORKERS - 1) helpers = MAX_WORKERS - 1;
  if ((size_t)helpers > count) helpers = (int)count;
  for (int w = 1; w <= helpers; w++) {
    l->seats[l->started] = (loop_seat){l, w};
    if (pthread_create(&l->helpers[l->started], NULL, run_helper, &l->seats[l->started]) != 0) break;
    l->started++;
  }
}

bool loop_finish(parallel_loop *l) {
  take_items(l, 0);
  for (int w = 0; w < l->started; w++) pthread_join(l->helpers[w], NULL);
  l->started = 0;
  return !atomic_load(&l->failed);
}

bool parallel_items(size_t count, const size_t *order, int workers, item_fn fn, void *ctx) {
  parallel_loop l;
  loop_start(&l, count, order, workers - 1, fn, ctx);
  return loop_finish(&l);
}

static const double *sort_costs;

static int by_cost(const void *x, const void *y) {
  const size_t a = *(const size_t *)x, b = *(const size_t *)y;
  if (sort_costs[a] != sort_costs[b]) return sort_costs[a] > sort_costs[b] ? -1 : 1;
  return a < b ? -1 : a > b;
}

void order_by_cost(const double *cost, size_t count, size_t *order) {
  for (size_t i = 0; i < count; i++) order[i] = i;
  sort_costs = cost; /* only ever called from the JS thread */
  qsort(order, count, sizeof(size_t), by_cost);
  sort_costs = NULL;
}
