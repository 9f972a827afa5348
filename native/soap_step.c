/*
 * soap_step: one SOAP optimizer step for all of an optimizer's parameters in one
 * call, in place on the tfjs wasm heap (src/native-optim.ts hands over byte offsets of variables it
 * owns alone). On the native path a SAC update is dominated by the number of small wasm kernels,
 * not by matmul time, so the tf-ops versions (src/optim/soap.ts, src/optim/fismo.ts) spend most of
 * their time in kernel dispatch; here the products go to CBLAS and the elementwise work is plain C
 * loops, with the same float32 operations in the same order as the tf ops wherever it matters.
 *
 */
#include "imitate_optim.h"
#include "optim_common.h"
#include "parallel.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>


typedef struct {
  double e;
  int i;
} ranked;

static int by_descending(const void *x, const void *y) {
  const ranked *a = (const ranked *)x, *b = (const ranked *)y;
  if (a->e > b->e) return -1;
  if (a->e < b->e) return 1;
  return a->i - b->i;
}

/* ---------------------------------------------------------------------------------------------- */
/* SOAP                                                                                           */

/* Sides longer than this get their refresh QR in float32 (src/optim/soap.ts: BLOCKED_QR_FROM). */
enum { SINGLE_QR_FROM = 64 };

/* Per block: rows, cols, refresh, alpha, then byte offsets W, G, M, V, L, QL, QLᵀ, R, QR, QRᵀ (−1: absent side). */
enum { SOAP_FIELDS = 14 };

typedef struct {
  int rows, cols;
  bool refresh;
  float alpha;
  float *w, *m, *v, *l, *ql, *qlt, *r, *qr, *qrt;
  const float *g;
} soap_block;

typedef struct {
  float b1, c1, b2, c2, eps, decay, bs, cs;
  bool decay_on, normalize;
} soap_hyper;

/* Scratch for one call, sized for its largest block. */
typedef struct {
  float *x, *y, *z, *p;
  double *s, *tau, *work;
  ranked *order;
  float *perm;
  int lwork;
} scratch;

/*
 * One power-iteration + QR step of side (K, O, Oᵀ) of size d (spec §A3): P = K·O gives the
 * Rayleigh quotients e_j = Σ_i O_ij P_ij and, with its columns sorted by e descending, the matrix
 * whose Q factor (Float64 Householder, LAPACK) is the new basis. V's rows (axis 0) or columns
 * (axis 1) are permuted by the same order. Returns false when LAPACK reports an error.
 */
static bool soap_refresh_side(int d, const float *k, float *o, float *ot, float *v, int rows, int cols, int axis,
                              scratch *s) {
  mm(false, false, d, d, d, 1.0f, k, o, 0.0f, s->p);
  for (int j = 0; j < d; j++) {
    double e = 0;
    for (int i = 0; i < d; i++) e += (double)o[i * d + j] * (double)s->p[i * d + j];
    s->order[j].e = e;
    s->order[j].i = j;
  }
  qsort(s->order, (size_t)d, sizeof(ranked), by_descending);
  if (axis == 0) {
    for (int i = 0; i < rows; i++) memcpy(s->perm + (size_t)i * cols, v + (size_t)s->order[i].i * cols, sizeof(float) * cols);
  } else {
    for (int i = 0; i < rows; i++)
      for (int j = 0; j < cols; j++) s->perm[(size_t)i * cols + j] = v[(size_t)i * cols + s->order[j].i];
  }
  memcpy(v, s->perm, sizeof(float) * (size_t)rows * cols);
  /* Column-major for LAPACK: column j of S is column order[j] of P. Large sides in float32, as the
   * reference's QR and the tf path's blocked QR (src/optim/soap.ts, BLOCKED_QR_FROM); the others in
   * Float64. The single-precision arrays live in the double ones' memory. */
  int info = 0;
  if (d > SINGLE_QR_FROM) {
    float *a = (float *)s->s, *tau = (float *)s->tau, *work = (float *)s->work;
    for (int j = 0; j < d; j++) {
      const int src = s->order[j].i;
      for (int i = 0; i < d; i++) a[(size_t)j * d + i] = s->p[i * d + src];
    }
    sgeqrf_(&d, &d, a, &d, tau, work, &s->lwork, &info);
    if (info != 0) return false;
    sorgqr_(&d, &d, &d, a, &d, tau, work, &s->lwork, &info);
    if (info != 0) return false;
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        o[i * d + j] = a[(size_t)j * d + i];
        ot[i * d + j] = a[(size_t)i * d + j];
      }
    }
    return true;
  }
  for (int j = 0; j < d; j++) {
    const int src = s->order[j].i;
    for (int i = 0; i < d; i++) s->s[(size_t)j * d + i] = s->p[i * d + src];
  }
  dgeqrf_(&d, &d, s->s, &d, s->tau, s->work, &s->lwork, &info);
  if (info != 0) return false;
  dorgqr_(&d, &d, &d, s->s, &d, s->tau, s->work, &s->lwork, &info);
  if (info != 0) return false;
  for (int i = 0; i < d; i++) {
    for (int j = 0; j < d; j++) {
      o[i * d + j] = (float)s->s[(size_t)j * d + i];
      ot[i * d + j] = (float)s->s[(size_t)i * d + j];
    }
  }
  return true;
}

/* X ← Q_Lᵀ·X·Q_R (forward) or Q_L·X·Q_Rᵀ (back) over the sides the block has; the result is in `out` or, when no side, is `x`. */
static const float *soap_rotate(const soap_block *b, const float *x, bool forward, float *tmp, float *out) {
  const float *cur = x;
  if (b->ql != NULL) {
    float *dst = b->qr != NULL ? tmp : out;
    mm(forward, false, b->rows, b->cols, b->rows, 1.0f, b->ql, cur, 0.0f, dst);
    cur = dst;
  }
  if (b->qr != NULL) {
    mm(false, !forward, b->rows, b->cols, b->cols, 1.0f, cur, b->qr, 0.0f, out);
    cur = out;
  }
  return cur;
}

/* The step proper: rotation, Adam in the eigenbasis, rotation back, weight decay. Reads the bases, writes W, M, V. */
static void soap_block_update(const soap_block *b, const soap_hyper *h, scratch *s) {
  const int64_t n = (int64_t)b->rows * b->cols;
  /* G' = Q_Lᵀ G Q_R; D = M ⊘ (√V + ε) after the moment updates, written over G' (or into x when G' is G). */
  const float *rot = soap_rotate(b, b->g, true, s->x, s->y);
  float *dir = rot == b->g ? s->x : (float *)rot;
  for (int64_t i = 0; i < n; i++) {
    const float gi = rot[i];
    const float mi = h->b1 * b->m[i] + h->c1 * gi;
    const float vi = h->b2 * b->v[i] + h->c2 * (gi * gi);
    b->m[i] = mi;
    b->v[i] = vi;
    dir[i] = mi / (sqrtf(vi) + h->eps);
  }
  float *out = dir == s->x ? s->y : s->x;
  const float *back = soap_rotate(b, dir, false, s->z, out);
  float scale = 1.0f;
  if (h->normalize) {
    double sq = 0;
    for (int64_t i = 0; i < n; i++) sq += (double)back[i] * back[i];
    scale = (float)sqrt(sq / (double)n) + 1e-30f;
  }
  for (int64_t i = 0; i < n; i++) {
    const float ni = h->normalize ? back[i] / scale : back[i];
    float wi = b->w[i] - b->alpha * ni;
    if (h->decay_on) wi = wi - h->decay * wi;
    b->w[i] = wi;
  }
}

/*
 * The preconditioner's upkeep after the step: the factor EMAs and, where due, the refresh (new
 * bases, M carried over, V permuted). Reads G; writes L, R, the bases, and on a refresh M and V.
 * Nothing of it is used before the next step, which is why it can run beside the rest of the update.
 */
static bool soap_block_maintain(const soap_block *b, const soap_hyper *h, scratch *s) {
  /* Factors: K ← β_s·K + (1−β_s)·(G Gᵀ or Gᵀ G), the product formed first as the tf ops do. */
  if (b->l != NULL) {
    gram(false, b->rows, b->cols, b->g, s->p);
    for (int64_t i = 0; i < (int64_t)b->rows * b->rows; i++) b->l[i] = h->bs * b->l[i] + h->cs * s->p[i];
  }
  if (b->r != NULL) {
    gram(true, b->cols, b->rows, b->g, s->p);
    for (int64_t i = 0; i < (int64_t)b->cols * b->cols; i++) b->r[i] = h->bs * b->r[i] + h->cs * s->p[i];
  }
  if (!b->refresh || (b->l == NULL && b->r == NULL)) return true;
  /* M back to the original coordinates with the old bases, then into the new ones. */
  float *original = s->x;
  soap_rotate(b, b->m, false, s->z, original);
  if (b->l != NULL && !soap_refresh_side(b->rows, b->l, b->ql, b->qlt, b->v, b->rows, b->cols, 0, s)) return false;
  if (b->r != NULL && !soap_refresh_side(b->cols, b->r, b->qr, b->qrt, b->v, b->rows, b->cols, 1, s)) return false;
  soap_rotate(b, original, true, s->z, b->m);
  return true;
}

static bool alloc_scratch(scratch *s, int64_t mat, int dmax) {
  memset(s, 0, sizeof *s);
  const int64_t sq = (int64_t)dmax * dmax;
  s->lwork = 64 * (dmax > 1 ? dmax : 1);
  s->x = malloc(sizeof(float) * (size_t)(mat > 0 ? mat : 1));
  s->y = malloc(sizeof(float) * (size_t)(mat > 0 ? mat : 1));
  s->z = malloc(sizeof(float) * (size_t)(mat > 0 ? mat : 1));
  s->perm = malloc(sizeof(float) * (size_t)(mat > 0 ? mat : 1));
  s->p = malloc(sizeof(float) * (size_t)(sq > 0 ? sq : 1));
  s->s = malloc(sizeof(double) * (size_t)(sq > 0 ? sq : 1));
  s->tau = malloc(sizeof(double) * (size_t)(dmax > 0 ? dmax : 1));
  s->work = malloc(sizeof(double) * (size_t)s->lwork);
  s->order = malloc(sizeof(ranked) * (size_t)(dmax > 0 ? dmax : 1));
  return s->x && s->y && s->z && s->perm && s->p && s->s && s->tau && s->work && s->order;
}

static void free_scratch(scratch *s) {
  free(s->x);
  free(s->y);
  free(s->z);
  free(s->perm);
  free(s->p);
  free(s->s);
  free(s->tau);
  free(s->work);
  free(s->order);
}

/* ---------------------------------------------------------------------------------------------- */
/* The upkeep in the background                                                                   */

/*
 * A job runs one step's upkeep (soap_block_maintain) on a thread of its own while the caller goes
 * on with the rest of the update; the next step joins it first, taking over the blocks the thread
 * has not begun (a refresh can outlast the rest of an update). It never touches the wasm heap,
 * which may grow and move meanwhile: it works on private copies. The factors and bases live in the
 * job between steps (the heap's copies of L and R go stale until soapSettle); G is copied in at
 * every launch, and M and V at a refresh, whose new bases, M and V are copied out at the join.
 * Each block's upkeep is the same operations on the same values whichever thread does it: results
 * are bit for bit those of the inline upkeep.
 */
typedef struct {
  size_t count;
  soap_block *blocks; /* private copies; w is unused, m and v hold values only while refresh is set */
  size_t *order;      /* the blocks by upkeep cost, largest first */
  soap_hyper h;
  scratch s[2];       /* worker 0: the joining caller; 1: the job's thread */
  parallel_loop loop;
  bool running, failed;
} soap_job;

/* Waits for the upkeep; the caller takes the blocks the job's thread has not begun (parallel.h). */
static void job_join(soap_job *j) {
  if (!j->running) return;
  if (!loop_finish(&j->loop)) j->failed = true;
  j->running = false;
}

static void job_free(soap_job *j) {
  job_join(j);
  for (size_t k = 0; k < j->count; k++) {
    soap_block *b = &j->blocks[k];
    float *parts[] = {(float *)b->g, b->m, b->v, b->l, b->ql, b->qlt, b->r, b->qr, b->qrt};
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) free(parts[p]);
  }
  free_scratch(&j->s[0]);
  free_scratch(&j->s[1]);
  free(j->blocks);
  free(j->order);
  free(j);
}

static void job_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  job_free((soap_job *)data);
}

static bool has_sides(const soap_block *b) { return b->l != NULL || b->r != NULL; }

static float *copy_of(const float *from, int64_t n, bool *ok) {
  float *to = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
  if (to == NULL) *ok = false;
  else if (from != NULL) memcpy(to, from, sizeof(float) * (size_t)n);
  return to;
}

/* A job for the blocks of `list` (on the heap), holding copies of their factors and bases. */
static soap_job *job_new(const soap_block *list, size_t count, int64_t mat, int dmax) {
  soap_job *j = calloc(1, sizeof(soap_job));
  if (j == NULL) return NULL;
  j->blocks = calloc(count > 0 ? count : 1, sizeof(soap_block));
  j->order = malloc(sizeof(size_t) * (count > 0 ? count : 1));
  double *cost = malloc(sizeof(double) * (count > 0 ? count : 1));
  bool ok = j->blocks != NULL && j->order != NULL && cost != NULL;
  ok = alloc_scratch(&j->s[0], mat, dmax) && ok;
  ok = alloc_scratch(&j->s[1], mat, dmax) && ok;
  j->count = ok ? count : 0;
  if (ok) {
    for (size_t k = 0; k < count; k++) {
      const soap_block *b = &list[k];
      const double m = b->rows, n = b->cols, ml = b->l != NULL ? m : 0, nr = b->r != NULL ? n : 0;
      cost[k] = m * n * (ml + nr) + ml * ml * ml + nr * nr * nr;
    }
    order_by_cost(cost, count, j->order);
  }
  free(cost);
  for (size_t k = 0; k < j->count && ok; k++) {
    const soap_block *from = &list[k];
    soap_block *b = &j->blocks[k];
    b->rows = from->rows;
    b->cols = from->cols;
    if (!has_sides(from)) continue;
    const int64_t n = (int64_t)b->rows * b->cols, l2 = (int64_t)b->rows * b->rows, r2 = (int64_t)b->cols * b->cols;
    b->g = copy_of(NULL, n, &ok);
    b->m = copy_of(NULL, n, &ok);
    b->v = copy_of(NULL, n, &ok);
    if (from->l != NULL) {
      b->l = copy_of(from->l, l2, &ok);
      b->ql = copy_of(from->ql, l2, &ok);
      b->qlt = copy_of(from->qlt, l2, &ok);
    }
    if (from->r != NULL) {
      b->r = copy_of(from->r, r2, &ok);
      b->qr = copy_of(from->qr, r2, &ok);
      b->qrt = copy_of(from->qrt, r2, &ok);
    }
  }
  if (!ok) {
    j->count = j->blocks != NULL ? count : 0;
    job_free(j);
    return NULL;
  }
  return j;
}

/* Whether `j` was made for blocks of these shapes and sides. */
static bool job_fits(const soap_job *j, const soap_block *list, size_t count) {
  if (j->count != count) return false;
  for (size_t k = 0; k < count; k++) {
    const soap_block *a = &j->blocks[k], *b = &list[k];
    if (a->rows != b->rows || a->cols != b->cols || (a->l != NULL) != (b->l != NULL) || (a->r != NULL) != (b->r != NULL)) return false;
  }
  return true;
}

static void copy_back(float *to, const float *from, int64_t n) {
  if (to != NULL && from != NULL) memcpy(to, from, sizeof(float) * (size_t)n);
}

/* Writes the job's results to the heap blocks of `list`: a finished refresh's bases, M and V; with `all`, the factors too. */
static void job_copy_out(soap_job *j, const soap_block *list, bool all) {
  for (size_t k = 0; k < j->count; k++) {
    soap_block *p = &j->blocks[k];
    const soap_block *b = &list[k];
    if (!has_sides(p)) continue;
    const int64_t n = (int64_t)p->rows * p->cols, l2 = (int64_t)p->rows * p->rows, r2 = (int64_t)p->cols * p->cols;
    if (all) {
      copy_back(b->l, p->l, l2);
      copy_back(b->r, p->r, r2);
    }
    if (all || p->refresh) {
      copy_back(b->ql, p->ql, l2);
      copy_back(b->qlt, p->qlt, l2);
      copy_back(b->qr, p->qr, r2);
      copy_back(b->qrt, p->qrt, r2);
    }
    if (p->refresh) {
      copy_back(b->m, p->m, n);
      copy_back(b->v, p->v, n);
      p->refresh = false;
    }
  }
}

static bool job_item(void *arg, size_t k, int worker) {
  soap_job *j = (soap_job *)arg;
  return !has_sides(&j->blocks[k]) || soap_block_maintain(&j->blocks[k], &j->h, &j->s[worker]);
}

/* Starts the upkeep of this step, whose blocks (on the heap) are `list`: G, and M and V where a refresh is due, are copied in first. */
static void job_launch(soap_job *j, const soap_block *list, const soap_hyper *h) {
  for (size_t k = 0; k < j->count; k++) {
    soap_block *p = &j->blocks[k];
    const soap_block *b = &list[k];
    if (!has_sides(p)) continue;
    const int64_t n = (int64_t)p->rows * p->cols;
    memcpy((float *)p->g, b->g, sizeof(float) * (size_t)n);
    p->refresh = b->refresh;
    if (p->refresh) {
      memcpy(p->m, b->m, sizeof(float) * (size_t)n);
      memcpy(p->v, b->v, sizeof(float) * (size_t)n);
    }
  }
  j->h = *h;
  /* Without a thread to be had, the caller does it all at the join. */
  loop_start(&j->loop, j->count, j->order, 1, job_item, j);
  j->running = true;
}

/* ---------------------------------------------------------------------------------------------- */
/* The calls                                                                                      */

/*
 * The blocks of a call, SOAP_FIELDS numbers each (see above), as pointers into the heap; W and G
 * may be absent (−1) unless `need_wg`. Returns NULL (and sets *bad) when a block is invalid.
 */
static soap_block *parse_blocks(uint8_t *heap, size_t heap_bytes, const double *blocks, size_t count, bool need_wg,
                                int64_t *mat, int *dmax, bool *bad) {
  soap_block *list = calloc(count > 0 ? count : 1, sizeof(soap_block));
  if (list == NULL) return NULL;
  *mat = 1;
  *dmax = 1;
  for (size_t k = 0; k < count && !*bad; k++) {
    const double *f = blocks + k * SOAP_FIELDS;
    soap_block *b = &list[k];
    if (f[0] < 1 || f[1] < 1 || f[0] > INT32_MAX || f[1] > INT32_MAX) {
      *bad = true;
      break;
    }
    b->rows = (int)f[0];
    b->cols = (int)f[1];
    b->refresh = f[2] != 0;
    b->alpha = (float)f[3];
    const double n = (double)b->rows * b->cols, l2 = (double)b->rows * b->rows, r2 = (double)b->cols * b->cols;
    b->w = at(heap, heap_bytes, f[4], n, bad);
    b->g = at(heap, heap_bytes, f[5], n, bad);
    b->m = at(heap, heap_bytes, f[6], n, bad);
    b->v = at(heap, heap_bytes, f[7], n, bad);
    b->l = at(heap, heap_bytes, f[8], l2, bad);
    b->ql = at(heap, heap_bytes, f[9], l2, bad);
    b->qlt = at(heap, heap_bytes, f[10], l2, bad);
    b->r = at(heap, heap_bytes, f[11], r2, bad);
    b->qr = at(heap, heap_bytes, f[12], r2, bad);
    b->qrt = at(heap, heap_bytes, f[13], r2, bad);
    if ((need_wg && (b->w == NULL || b->g == NULL)) || b->m == NULL || b->v == NULL) *bad = true;
    if ((b->l == NULL) != (b->ql == NULL) || (b->ql == NULL) != (b->qlt == NULL)) *bad = true;
    if ((b->r == NULL) != (b->qr == NULL) || (b->qr == NULL) != (b->qrt == NULL)) *bad = true;
    if ((int64_t)n > *mat) *mat = (int64_t)n;
    if (b->l != NULL && b->rows > *dmax) *dmax = b->rows;
    if (b->r != NULL && b->cols > *dmax) *dmax = b->cols;
  }
  return list;
}

/* One block's step in a parallel loop: the update, then (inline) its upkeep. */
typedef struct {
  const soap_block *list;
  const soap_hyper *h;
  scratch *s;
  bool inline_upkeep;
} step_loop;

static bool step_item(void *arg, size_t k, int worker) {
  const step_loop *c = (const step_loop *)arg;
  soap_block_update(&c->list[k], c->h, &c->s[worker]);
  return !c->inline_upkeep || soap_block_maintain(&c->list[k], c->h, &c->s[worker]);
}

/* The job a call was given: an external made by soapStep, or NULL (with an exception) for anything else. */
static soap_job *job_argument(napi_env env, napi_value arg, const char *fn) {
  void *data = NULL;
  if (napi_get_value_external(env, arg, &data) != napi_ok || data == NULL) {
    throw_message(env, fn, "the job must be what soapStep returned");
    return NULL;
  }
  return (soap_job *)data;
}

/*
 * soapStep(heap, blocks, hyper[, job]): one SOAP update (src/optim/soap.ts's update and refresh,
 * spec §A1–A3) of every block, in place. blocks: SOAP_FIELDS numbers per block (see above);
 * hyper: [β1, 1−β1, β2, 1−β2, ε, lr·λ, β_s, 1−β_s, normalizeGrads]. Without `job` the upkeep runs
 * inline and the call returns undefined. With `job` null, or the job the previous call returned
 * (for the same blocks), that job is joined and its results written first, and this step's upkeep
 * is started in the background; the call returns the job to pass next time (or to soapSettle), or
 * undefined when no block has a preconditioned side.
 */
napi_value imitate_soap_step(napi_env env, napi_callback_info info) {
  uint8_t *heap = NULL;
  size_t heap_bytes = 0, n_blocks = 0, n_hyper = 0;
  const double *blocks = NULL, *hy = NULL;
  napi_value job_arg = NULL, result = NULL;
  if (!read_args(env, info, "soapStep", &heap, &heap_bytes, &blocks, &n_blocks, &hy, &n_hyper, &job_arg)) return NULL;
  if (n_blocks % SOAP_FIELDS != 0 || n_hyper != 9) return throw_message(env, "soapStep", "14 numbers per block and 9 hyperparameters expected");
  napi_valuetype mode = napi_undefined;
  napi_typeof(env, job_arg, &mode);
  if (mode != napi_undefined && mode != napi_null && mode != napi_external) return throw_message(env, "soapStep", "the job must be null or what soapStep returned");
  const size_t count = n_blocks / SOAP_FIELDS;
  const soap_hyper h = {(float)hy[0], (float)hy[1], (float)hy[2], (float)hy[3], (float)hy[4], (float)hy[5],
                        (float)hy[6], (float)hy[7], hy[5] > 0, hy[8] != 0};
  int64_t mat = 1;
  int dmax = 1;
  bool bad = false;
  soap_block *list = parse_blocks(heap, heap_bytes, blocks, count, true, &mat, &dmax, &bad);
  if (list == NULL) return throw_message(env, "soapStep", "out of memory");
  if (bad) {
    free(list);
    return throw_message(env, "soapStep", "a block's sizes or operands are invalid or outside the heap");
  }
  bool any_sides = false;
  for (size_t k = 0; k < count; k++) any_sides = any_sides || has_sides(&list[k]);
  if (!any_sides && mode == napi_null) mode = napi_undefined; /* nothing to keep up (log α, say): no job */
  soap_job *job = NULL;
  if (mode == napi_external) {
    job = job_argument(env, job_arg, "soapStep");
    if (job == NULL || !job_fits(job, list, count)) {
      free(list);
      return job == NULL ? NULL : throw_message(env, "soapStep", "the job was made for other blocks");
    }
    job_join(job);
    if (job->failed) {
      free(list);
      return throw_message(env, "soapStep", "LAPACK's QR failed in the previous step's basis refresh");
    }
    job_copy_out(job, list, false);
  }
  const int workers = optim_threads() < (int)count ? optim_threads() : (count > 0 ? (int)count : 1);
  scratch s[MAX_WORKERS];
  double *cost = malloc(sizeof(double) * (count > 0 ? count : 1));
  size_t *order = malloc(sizeof(size_t) * (count > 0 ? count : 1));
  bool allocated = cost != NULL && order != NULL, ok = true;
  for (int w = 0; w < workers; w++) allocated = alloc_scratch(&s[w], mat, dmax) && allocated;
  if (allocated) {
    for (size_t k = 0; k < count; k++) {
      const soap_block *b = &list[k];
      cost[k] = (double)b->rows * b->cols * ((b->l != NULL ? b->rows : 0) + (b->r != NULL ? b->cols : 0) + 1);
    }
    order_by_cost(cost, count, order);
    step_loop ctx = {list, &h, s, mode == napi_undefined};
    ok = parallel_items(count, order, workers, step_item, &ctx);
  }
  for (int w = 0; w < workers; w++) free_scratch(&s[w]);
  free(cost);
  free(order);
  if (!allocated) {
    free(list);
    return throw_message(env, "soapStep", "out of memory");
  }
  if (mode == napi_null) {
    job = job_new(list, count, mat, dmax);
    if (job == NULL || napi_create_external(env, job, job_finalize, NULL, &result) != napi_ok) {
      if (job != NULL) job_free(job);
      free(list);
      return throw_message(env, "soapStep", "out of memory");
    }
  } else if (mode == napi_external) {
    result = job_arg;
  }
  if (job != NULL) job_launch(job, list, &h);
  free(list);
  if (!ok) return throw_message(env, "soapStep", "LAPACK's QR failed in a basis refresh");
  if (result == NULL) napi_get_undefined(env, &result);
  return result;
}

/*
 * soapSettle(heap, blocks, hyper, job): joins `job` and writes all it holds (factors, bases, and
 * a finished refresh's M and V) to the blocks (W and G offsets may be −1; hyper is ignored), so
 * that the heap holds the optimizer's whole state, as before a checkpoint. The job stays usable.
 */
napi_value imitate_soap_settle(napi_env env, napi_callback_info info) {
  uint8_t *heap = NULL;
  size_t heap_bytes = 0, n_blocks = 0, n_hyper = 0;
  const double *blocks = NULL, *hy = NULL;
  napi_value job_arg = NULL;
  if (!read_args(env, info, "soapSettle", &heap, &heap_bytes, &blocks, &n_blocks, &hy, &n_hyper, &job_arg)) return NULL;
  if (n_blocks % SOAP_FIELDS != 0) return throw_message(env, "soapSettle", "14 numbers per block expected");
  soap_job *job = job_argument(env, job_arg, "soapSettle");
  if (job == NULL) return NULL;
  const size_t count = n_blocks / SOAP_FIELDS;
  int64_t mat = 1;
  int dmax = 1;
  bool bad = false;
  soap_block *list = parse_blocks(heap, heap_bytes, blocks, count, false, &mat, &dmax, &bad);
  if (list == NULL) return throw_message(env, "soapSettle", "out of memory");
  if (bad || !job_fits(job, list, count)) {
    free(list);
    return throw_message(env, "soapSettle", bad ? "a block's sizes or operands are invalid or outside the heap" : "the job was made for other blocks");
  }
  job_join(job);
  const bool failed = job->failed;
  if (!failed) job_copy_out(job, list, true);
  free(list);
  if (failed) return throw_message(env, "soapSettle", "LAPACK's QR failed in the last step's basis refresh");
  return NULL;
}
