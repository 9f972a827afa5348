/*
 * fismo_step: one FISMO or Muon optimizer step for all of an optimizer's parameters in one call, in
 * place on the tfjs wasm heap (see soap_step.c for why the steps are fused). FISMO's inverse roots
 * come from a Float64 eigendecomposition (LAPACK dsyevd, dsyev as the fallback).
 */
#include "imitate_optim.h"
#include "optim_common.h"
#include "parallel.h"
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* FISMO and Muon                                                                                 */

/*
 * Per item, FISMO_FIELDS numbers. Matrix block (kind 1): kind, rows, cols, due, lr·scale, then byte
 * offsets W, G, M, P, P's eigenvectors, P⁻¹, P^{-1/2}, Q, Q's eigenvectors, Q⁻¹, Q^{-1/2} (−1:
 * identity side). AdamW item (kind 2): kind, size, t, 0, 0, W, G, m, v, then −1s.
 */
enum { FISMO_FIELDS = 16 };

typedef struct {
  float *f, *e, *inv, *isq;
} fisher_side;

typedef struct {
  int kind, rows, cols;
  bool due;
  float step;
  double t;
  float *w, *m, *v;
  const float *g;
  fisher_side left, right;
} fismo_item;

typedef struct {
  float momentum, one_minus_momentum, gamma, one_minus_gamma;
  double damping;
  bool nesterov, decay_on;
  float decay_keep;
  int ns_steps;
  float a, b, c;
  double adam_lr, adam_b1, adam_b2, adam_eps, adam_wd;
} fismo_hyper;

typedef struct {
  float *x, *y, *z, *u, *gram, *gram2;
  double *a, *w, *work, *scaled, *product;
  int *iwork;
  int lwork, liwork;
  bool nonfinite; /* set when a refresh met a non-finite factor */
} fismo_scratch;

/*
 * F ← sym(d·F̃ / tr F̃), F̃ = γ·F + (1−γ)·(S / other + (μ/d)·tr F·I) (src/optim/fismo.ts's
 * updateFactor; S is exactly symmetric here, so sym is the identity and is skipped).
 */
static void fismo_update_factor(float *f, const float *stat, int d, int other, const fismo_hyper *h, float *blended) {
  float trace = 0;
  for (int i = 0; i < d; i++) trace += f[i * d + i];
  const float shift = (float)(h->damping / d) * trace;
  const float fother = (float)other;
  float trace_b = 0;
  for (int i = 0; i < d; i++) {
    for (int j = 0; j < d; j++) {
      float damped = stat[i * d + j] / fother;
      if (i == j) damped = damped + shift;
      const float x = h->gamma * f[i * d + j] + h->one_minus_gamma * damped;
      blended[i * d + j] = x;
      if (i == j) trace_b += x;
    }
  }
  const float fd = (float)d;
  for (int64_t i = 0; i < (int64_t)d * d; i++) f[i] = fd * blended[i] / trace_b;
}

/*
 * F⁻¹ and F^{-1/2} from a Float64 eigendecomposition of F (LAPACK dsyevd), eigenvalues floored at
 * 1e-12·d; the eigenvectors are stored in descending order of eigenvalue, as the tf path's.
 */
static void symmetrised_factor(const fisher_side *side, int d, double *a) {
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) a[(size_t)j * d + i] = 0.5 * ((double)side->f[i * d + j] + (double)side->f[j * d + i]);
}

/* Tests force the dsyev fallback (fismo_force_eigen_fallback) and count how often it ran. */
static atomic_bool force_fallback = false;
static atomic_long fallbacks = 0;

long fismo_force_eigen_fallback(bool on) {
  atomic_store(&force_fallback, on);
  return atomic_load(&fallbacks);
}

static bool fismo_refresh_roots(const fisher_side *side, int d, fismo_scratch *s) {
  symmetrised_factor(side, d, s->a);
  for (size_t i = 0; i < (size_t)d * d; i++)
    if (!isfinite(s->a[i])) {
      s->nonfinite = true;
      return false;
    }
  int info = 0;
  dsyevd_("V", "U", &d, s->a, &d, s->w, s->work, &s->lwork, s->iwork, &s->liwork, &info, 1, 1);
  if (info != 0 || atomic_load(&force_fallback)) {
    atomic_fetch_add(&fallbacks, 1);
    /* Divide and conquer can fail to converge on a finite matrix (seen once in a 20k-step SAC run
     * on a 256×256 factor); the QR algorithm is slower but more robust: retry with it. */
    symmetrised_factor(side, d, s->a);
    info = 0;
    dsyev_("V", "U", &d, s->a, &d, s->w, s->work, &s->lwork, &info, 1, 1);
    if (info != 0) return false;
  }
  const double floor = 1e-12 * d;
  /* Column k of E (descending) is LAPACK's column d−1−k (ascending). */
  for (int i = 0; i < d; i++)
    for (int k = 0; k < d; k++) side->e[i * d + k] = (float)s->a[(size_t)(d - 1 - k) * d + i];
  for (int pass = 0; pass < 2; pass++) {
    /* F^p = Y·Yᵀ with Y = E·diag(w^{p/2}), p = −1 (inverse) or −1/2 (inverse root). */
    const double power = pass == 0 ? -0.5 : -0.25;
    for (int k = 0; k < d; k++) {
      const double wk = s->w[k] > floor ? s->w[k] : floor;
      const double scale = pow(wk, power);
      for (int i = 0; i < d; i++) s->scaled[(size_t)k * d + i] = s->a[(size_t)k * d + i] * scale;
    }
    /* Column-major Y is row-major Yᵀ, so Y·Yᵀ = (Yᵀ)ᵀ·Yᵀ is a transposed row-major syrk. */
    cblas_dsyrk(ROW_MAJOR, UPPER, TRANS, d, d, 1.0, s->scaled, d, 0.0, s->product, d);
    float *dst = pass == 0 ? side->inv : side->isq;
    for (int i = 0; i < d; i++)
      for (int j = i; j < d; j++) dst[i * d + j] = dst[j * d + i] = (float)s->product[(size_t)i * d + j];
  }
  return true;
}

/* Muon's quintic Newton–Schulz on x (rows×cols), in place, on its wide orientation; y, gram, gram2 are scratch. */
static void newton_schulz(float *x, int rows, int cols, const fismo_hyper *h, float *y, float *g1, float *g2) {
  const int64_t n = (int64_t)rows * cols;
  double sq = 0;
  for (int64_t i = 0; i < n; i++) sq += (double)x[i] * x[i];
  const float denom = (float)sqrt(sq) + 1e-7f;
  for (int64_t i = 0; i < n; i++) x[i] = x[i] / denom;
  const bool tall = rows > cols;
  const int k = tall ? cols : rows;
  for (int step = 0; step < h->ns_steps; step++) {
    gram(tall, k, tall ? rows : cols, x, g1);
    gram(false, k, k, g1, g2); /* gram is symmetric: gram·gram = gram·gramᵀ */
    for (int64_t i = 0; i < (int64_t)k * k; i++) g2[i] = h->b * g1[i] + h->c * g2[i];
    for (int64_t i = 0; i < n; i++) y[i] = h->a * x[i];
    if (tall) mm(false, false, rows, cols, cols, 1.0f, x, g2, 1.0f, y);
    else mm(false, false, rows, cols, rows, 1.0f, g2, x, 1.0f, y);
    memcpy(x, y, sizeof(float) * n);
  }
}

static bool fismo_matrix_step(const fismo_item *it, const fismo_hyper *h, fismo_scratch *s) {
  const int rows = it->rows, cols = it->cols;
  const int64_t n = (int64_t)rows * cols;
  const bool left = it->left.f != NULL, right = it->right.f != NULL;
  /* P's statistic uses the previous Q (Gauss–Seidel): G·Q⁻¹·Gᵀ = A·Aᵀ with A = G·Q^{-1/2}. */
  if (left) {
    const float *a = it->g;
    if (right) {
      mm(false, false, rows, cols, cols, 1.0f, it->g, it->right.isq, 0.0f, s->x);
      a = s->x;
    }
    gram(false, rows, cols, a, s->gram);
    fismo_update_factor(it->left.f, s->gram, rows, cols, h, s->gram2);
    if (it->due && !fismo_refresh_roots(&it->left, rows, s)) return false;
  }
  /* Q's uses the new P: Gᵀ·P⁻¹·G = Bᵀ·B with B = P^{-1/2}·G, which is also half the whitening. */
  const float *b = it->g;
  if (left) {
    mm(false, false, rows, cols, rows, 1.0f, it->left.isq, it->g, 0.0f, s->y);
    b = s->y;
  }
  if (right) {
    gram(true, cols, rows, b, s->gram);
    fismo_update_factor(it->right.f, s->gram, cols, rows, h, s->gram2);
    if (it->due && !fismo_refresh_roots(&it->right, cols, s)) return false;
  }
  const float *whitened = b;
  if (right) {
    mm(false, false, rows, cols, cols, 1.0f, b, it->right.isq, 0.0f, s->z);
    whitened = s->z;
  }
  float *input = s->u;
  for (int64_t i = 0; i < n; i++) {
    const float wi = whitened[i];
    const float mi = h->momentum * it->m[i] + h->one_minus_momentum * wi;
    it->m[i] = mi;
    input[i] = h->nesterov ? h->one_minus_momentum * wi + h->momentum * mi : mi;
  }
  newton_schulz(input, rows, cols, h, s->x, s->gram, s->gram2);
  const float *step = input;
  if (left) {
    mm(false, false, rows, cols, rows, 1.0f, it->left.isq, step, 0.0f, s->y);
    step = s->y;
  }
  if (right) {
    mm(false, false, rows, cols, cols, 1.0f, step, it->right.isq, 0.0f, s->z);
    step = s->z;
  }
  for (int64_t i = 0; i < n; i++) {
    const float decayed = h->decay_on ? it->w[i] * h->decay_keep : it->w[i];
    it->w[i] = decayed - it->step * step[i];
  }
  return true;
}

/* src/optim/adamw-slot.ts's AdamW (ε after bias correction, decay before the step), update t. */
static void fismo_adamw_step(const fismo_item *it, const fismo_hyper *h) {
  const float b1 = (float)h->adam_b1, c1 = (float)(1 - h->adam_b1), b2 = (float)h->adam_b2, c2 = (float)(1 - h->adam_b2);
  const float corr1 = (float)(1 - pow(h->adam_b1, it->t)), sqrt_corr2 = (float)sqrt(1 - pow(h->adam_b2, it->t));
  const float keep = (float)(1 - h->adam_lr * h->adam_wd), lr = (float)h->adam_lr, eps = (float)h->adam_eps;
  const bool decay = h->adam_wd > 0;
  const int64_t n = (int64_t)it->rows;
  for (int64_t i = 0; i < n; i++) {
    const float gi = it->g[i];
    const float mi = b1 * it->m[i] + c1 * gi;
    const float vi = b2 * it->v[i] + c2 * (gi * gi);
    it->m[i] = mi;
    it->v[i] = vi;
    const float decayed = decay ? it->w[i] * keep : it->w[i];
    const float step = (mi / corr1) / (sqrtf(vi) / sqrt_corr2 + eps);
    it->w[i] = decayed - lr * step;
  }
}

static bool alloc_fismo_scratch(fismo_scratch *s, int64_t mat, int dmax) {
  memset(s, 0, sizeof *s);
  const size_t sq = (size_t)dmax * dmax;
  s->lwork = 1 + 6 * dmax + 2 * dmax * dmax;
  s->liwork = 3 + 5 * dmax;
  const size_t fm = (size_t)(mat > 0 ? mat : 1);
  s->x = malloc(sizeof(float) * fm);
  s->y = malloc(sizeof(float) * fm);
  s->z = malloc(sizeof(float) * fm);
  s->u = malloc(sizeof(float) * fm);
  s->gram = malloc(sizeof(float) * sq);
  s->gram2 = malloc(sizeof(float) * sq);
  s->a = malloc(sizeof(double) * sq);
  s->scaled = malloc(sizeof(double) * sq);
  s->product = malloc(sizeof(double) * sq);
  s->w = malloc(sizeof(double) * (size_t)dmax);
  s->work = malloc(sizeof(double) * (size_t)s->lwork);
  s->iwork = malloc(sizeof(int) * (size_t)s->liwork);
  return s->x && s->y && s->z && s->u && s->gram && s->gram2 && s->a && s->scaled && s->product && s->w && s->work && s->iwork;
}

static void free_fismo_scratch(fismo_scratch *s) {
  free(s->x);
  free(s->y);
  free(s->z);
  free(s->u);
  free(s->gram);
  free(s->gram2);
  free(s->a);
  free(s->scaled);
  free(s->product);
  free(s->w);
  free(s->work);
  free(s->iwork);
}

/* One item's step in a parallel loop. */
typedef struct {
  const fismo_item *list;
  const fismo_hyper *h;
  fismo_scratch *s;
} item_loop;

static bool fismo_item_step(void *arg, size_t k, int worker) {
  const item_loop *c = (const item_loop *)arg;
  if (c->list[k].kind == 2) {
    fismo_adamw_step(&c->list[k], c->h);
    return true;
  }
  return fismo_matrix_step(&c->list[k], c->h, &c->s[worker]);
}

/*
 * fismoStep(heap, items, hyper): one FISMO (or Muon: no factors) update of every item, in place.
 * items: FISMO_FIELDS numbers each (see above); hyper: [β, γ, μ, nesterov, 1 − lr·λ, λ > 0,
 * nsSteps, a, b, c, adamLr, adamβ1, adamβ2, adamε, adamλ].
 */
napi_value imitate_fismo_step(napi_env env, napi_callback_info info) {
  uint8_t *heap = NULL;
  size_t heap_bytes = 0, n_items = 0, n_hyper = 0;
  const double *items = NULL, *hy = NULL;
  if (!read_args(env, info, "fismoStep", &heap, &heap_bytes, &items, &n_items, &hy, &n_hyper, NULL)) return NULL;
  if (n_items % FISMO_FIELDS != 0 || n_hyper != 15) return throw_message(env, "fismoStep", "16 numbers per item and 15 hyperparameters expected");
  const size_t count = n_items / FISMO_FIELDS;
  const fismo_hyper h = {(float)hy[0], (float)(1 - hy[0]), (float)hy[1], (float)(1 - hy[1]), hy[2], hy[3] != 0,
                         hy[5] != 0, (float)hy[4], (int)hy[6], (float)hy[7], (float)hy[8], (float)hy[9],
                         hy[10], hy[11], hy[12], hy[13], hy[14]};
  fismo_item *list = calloc(count > 0 ? count : 1, sizeof(fismo_item));
  if (list == NULL) return throw_message(env, "fismoStep", "out of memory");
  int64_t mat = 1;
  int dmax = 1;
  bool bad = h.ns_steps < 0;
  for (size_t k = 0; k < count && !bad; k++) {
    const double *f = items + k * FISMO_FIELDS;
    fismo_item *it = &list[k];
    it->kind = (int)f[0];
    if (it->kind == 2) {
      if (f[1] < 0 || f[1] > INT32_MAX || f[2] < 1) {
        bad = true;
        break;
      }
      it->rows = (int)f[1];
      it->t = f[2];
      it->w = at(heap, heap_bytes, f[5], f[1], &bad);
      it->g = at(heap, heap_bytes, f[6], f[1], &bad);
      it->m = at(heap, heap_bytes, f[7], f[1], &bad);
      it->v = at(heap, heap_bytes, f[8], f[1], &bad);
      if (it->rows > 0 && (it->w == NULL || it->g == NULL || it->m == NULL || it->v == NULL)) bad = true;
      continue;
    }
    if (it->kind != 1 || f[1] < 1 || f[2] < 1 || f[1] > INT32_MAX || f[2] > INT32_MAX) {
      bad = true;
      break;
    }
    it->rows = (int)f[1];
    it->cols = (int)f[2];
    it->due = f[3] != 0;
    it->step = (float)f[4];
    const double n = (double)it->rows * it->cols;
    it->w = at(heap, heap_bytes, f[5], n, &bad);
    it->g = at(heap, heap_bytes, f[6], n, &bad);
    it->m = at(heap, heap_bytes, f[7], n, &bad);
    if (it->w == NULL || it->g == NULL || it->m == NULL) bad = true;
    fisher_side *sides[2] = {&it->left, &it->right};
    const int dims[2] = {it->rows, it->cols};
    for (int sd = 0; sd < 2; sd++) {
      const double d2 = (double)dims[sd] * dims[sd];
      float **parts[4] = {&sides[sd]->f, &sides[sd]->e, &sides[sd]->inv, &sides[sd]->isq};
      int present = 0;
      for (int p = 0; p < 4; p++) {
        *parts[p] = at(heap, heap_bytes, f[8 + 4 * sd + p], d2, &bad);
        present += *parts[p] != NULL;
      }
      if (present != 0 && present != 4) bad = true;
      if (present == 4 && dims[sd] > dmax) dmax = dims[sd];
    }
    if ((int64_t)n > mat) mat = (int64_t)n;
    const int wide = it->rows < it->cols ? it->rows : it->cols;
    if (wide > dmax) dmax = wide; /* Newton–Schulz's Gram matrices */
  }
  if (bad) {
    free(list);
    return throw_message(env, "fismoStep", "an item's sizes or operands are invalid or outside the heap");
  }
  const int workers = optim_threads() < (int)count ? optim_threads() : (count > 0 ? (int)count : 1);
  fismo_scratch s[MAX_WORKERS];
  double *cost = malloc(sizeof(double) * (count > 0 ? count : 1));
  size_t *order = malloc(sizeof(size_t) * (count > 0 ? count : 1));
  bool allocated = cost != NULL && order != NULL, ok = true;
  for (int w = 0; w < workers; w++) allocated = alloc_fismo_scratch(&s[w], mat, dmax) && allocated;
  if (allocated) {
    for (size_t k = 0; k < count; k++) {
      const fismo_item *it = &list[k];
      const double d3 = it->due ? (double)it->rows * it->rows * it->rows + (double)it->cols * it->cols * it->cols : 0;
      cost[k] = it->kind == 2 ? it->rows : (double)it->rows * it->cols * (it->rows + it->cols) + 4 * d3;
    }
    order_by_cost(cost, count, order);
    item_loop ctx = {list, &h, s};
    ok = parallel_items(count, order, workers, fismo_item_step, &ctx);
  }
  bool nonfinite = false;
  for (int w = 0; w < workers; w++) {
    nonfinite = nonfinite || s[w].nonfinite;
    free_fismo_scratch(&s[w]);
  }
  free(cost);
  free(order);
  if (!allocated) {
    free(list);
    return throw_message(env, "fismoStep", "out of memory");
  }
  free(list);
  if (!ok && nonfinite)
    return throw_message(env, "fismoStep", "a Fisher factor is not finite: the gradients overflowed or were NaN since its last refresh (training diverged; a larger damping or a smaller lr may hold it)");
  if (!ok) return throw_message(env, "fismoStep", "LAPACK's dsyevd and dsyev both failed on a (finite) Fisher factor");
  return NULL;
}
