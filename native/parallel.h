/*
 * A parallel loop over the independent items of a fused optimizer step (one parameter block
 * each): the calling thread and helper threads take items in turn from a shared counter. Each item
 * is computed by one thread, with the same single-threaded operations as in a plain loop, so the
 * results do not depend on the thread count or on who took what.
 *
 * A loop can also be started and finished apart: the helpers begin at once, and the caller joins
 * in later, taking whatever items are left before it waits for the helpers' last ones. SOAP's
 * background upkeep (soap_step.c) is such a loop.
 */
#ifndef IMITATE_PARALLEL_H
#define IMITATE_PARALLEL_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* Runs item `k` on worker `worker` (0: the caller; for per-worker scratch); false stops the loop. */
typedef bool (*item_fn)(void *ctx, size_t k, int worker);

/* The most workers a loop uses (1: the plain loop). */
enum { MAX_WORKERS = 8 };

/* Workers for the next loops: at least 1, at most MAX_WORKERS (setOptimThreads). */
void set_optim_threads(int n);
int optim_threads(void);

typedef struct parallel_loop parallel_loop;

/* One helper's place in a loop. */
typedef struct {
  parallel_loop *loop;
  int worker;
} loop_seat;

/* A loop under way; it must stay at one address from loop_start to loop_finish. */
struct parallel_loop {
  size_t count;
  const size_t *order;
  item_fn fn;
  void *ctx;
  atomic_size_t next;
  atomic_bool failed;
  pthread_t helpers[MAX_WORKERS];
  loop_seat seats[MAX_WORKERS];
  int started;
};

/*
 * Starts fn(ctx, order[i], worker) for i = 0 .. count − 1 (order NULL: k = i) on up to `helpers`
 * threads (workers 1 .. helpers); none where a thread cannot be had.
 */
void loop_start(parallel_loop *l, size_t count, const size_t *order, int helpers, item_fn fn, void *ctx);

/* The caller takes the items left (as worker 0), then waits for the helpers. False when an item returned false. */
bool loop_finish(parallel_loop *l);

/* loop_start with workers − 1 helpers, then loop_finish. */
bool parallel_items(size_t count, const size_t *order, int workers, item_fn fn, void *ctx);

/* order = 0 .. count − 1 sorted by descending cost (ties by index): big items first balance the load. */
void order_by_cost(const double *cost, size_t count, size_t *order);

#endif
