/*
 * imitate_optim: one SOAP or FISMO/Muon optimizer step for all of an optimizer's parameters in one
 * call, in place on the tfjs wasm heap (src/native-optim.ts hands over byte offsets of variables it
 * owns alone). On the native path a SAC update is dominated by the number of small wasm kernels,
 * not by matmul time, so the tf-ops versions (src/optim/soap.ts, src/optim/fismo.ts) spend most of
 * their time in kernel dispatch; here the products go to CBLAS and the elementwise work is plain C
 * loops, with the same float32 operations in the same order as the tf ops wherever it matters.
 *
 * The factorisations the spec wants in Float64 use LAPACK from the same library (OpenBLAS bundles
 * it; Accelerate exports the same Fortran symbols): SOAP's refresh QR (dgeqrf + dorgqr) and
 * FISMO's inverse roots (dsyevd). The prototypes are declared here, as the CBLAS ones are, because
 * header names and integer types differ between distributions while the symbols do not.
 */
#include "imitate_optim.h"
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112, UPPER = 121 };
extern void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
                        const float *b, int ldb, float beta, float *c, int ldc);
extern void cblas_ssyrk(int order, int uplo, int trans, int n, int k, float alpha, const float *a, int lda, float beta,
                        float *c, int ldc);
extern void cblas_dsyrk(int order, int uplo, int trans, int n, int k, double alpha, const double *a, int lda,
                        double beta, double *c, int ldc);
extern void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work, const int *lwork,
                    int *info);
extern void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau,
                    double *work, const int *lwork, int *info);
/* The trailing lengths are gfortran's hidden character-argument lengths; other ABIs ignore them. */
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                    double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t jobz_len,
                    size_t uplo_len);
extern void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                   double *work, const int *lwork, int *info, size_t jobz_len, size_t uplo_len);

/* ---------------------------------------------------------------------------------------------- */
/* Argument reading                                                                               */

static napi_value throw_message(napi_env env, const char *fn, const char *what) {
  char message[200];
  snprintf(message, sizeof message, "imitate_blas.%s: %s", fn, what);
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* heap (ArrayBuffer), blocks (Float64Array), hyper (Float64Array). */
static bool read_args(napi_env env, napi_callback_info info, const char *fn, uint8_t **heap, size_t *heap_bytes,
                      const double **blocks, size_t *n_blocks, const double **hyper, size_t *n_hyper) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) {
    throw_message(env, fn, "expected (heap, blocks, hyper)");
    return false;
  }
  void *data = NULL;
  if (napi_get_arraybuffer_info(env, argv[0], &data, heap_bytes) != napi_ok) {
    throw_message(env, fn, "the heap must be an ArrayBuffer");
    return false;
  }
  *heap = (uint8_t *)data;
  const double **outs[2] = {blocks, hyper};
  size_t *lengths[2] = {n_blocks, n_hyper};
  for (int i = 0; i < 2; i++) {
    napi_typedarray_type type;
    void *p = NULL;
    if (napi_get_typedarray_info(env, argv[1 + i], &type, lengths[i], &p, NULL, NULL) != napi_ok ||
        type != napi_float64_array) {
      throw_message(env, fn, "blocks and hyper must be Float64Arrays");
      return false;
    }
    *outs[i] = (const double *)p;
  }
  return true;
}

/* The float32 run of `count` values at byte `offset`, or NULL when it is absent (offset < 0). Sets *bad when the run is not inside the heap. */
static float *at(uint8_t *heap, size_t heap_bytes, double offset, double count, bool *bad) {
  if (offset < 0) return NULL;
  if (((int64_t)offset & 3) || offset + 4.0 * count > (double)heap_bytes) {
    *bad = true;
    return NULL;
  }
  return (float *)(heap + (int64_t)offset);
}

/* ---------------------------------------------------------------------------------------------- */
/* Small helpers                                                                                  */

/* Row-major C (m×n) = alpha·op(A)·op(B) + beta·C. */
static void mm(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, const float *b, float beta,
               float *c) {
  cblas_sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, a, ta ? m : k, b,
              tb ? k : n, beta, c, n);
}

/* Copies the upper triangle of the row-major d×d `c` onto its lower one. */
static void mirror(float *c, int d) {
  for (int i = 0; i < d; i++)
    for (int j = i + 1; j < d; j++) c[j * d + i] = c[i * d + j];
}

/* C (d×d) = A·Aᵀ (A d×k, trans false) or AᵀA (A k×d, trans true), full symmetric. */
static void gram(bool trans, int d, int k, const float *a, float *c) {
  cblas_ssyrk(ROW_MAJOR, UPPER, trans ? TRANS : NO_TRANS, d, k, 1.0f, a, trans ? d : k, 0.0f, c, d);
  mirror(c, d);
}

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
  /* Column-major for LAPACK: column j of S is column order[j] of P. */
  for (int j = 0; j < d; j++) {
    const int src = s->order[j].i;
    for (int i = 0; i < d; i++) s->s[(size_t)j * d + i] = s->p[i * d + src];
  }
  int info = 0;
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

static bool soap_block_step(const soap_block *b, const soap_hyper *h, scratch *s) {
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

/*
 * soapStep(heap, blocks, hyper): one SOAP update (src/optim/soap.ts's update and refresh, spec
 * §A1–A3) of every block, in place. blocks: SOAP_FIELDS numbers per block (see above); hyper:
 * [β1, 1−β1, β2, 1−β2, ε, lr·λ, β_s, 1−β_s, normalizeGrads].
 */
napi_value imitate_soap_step(napi_env env, napi_callback_info info) {
  uint8_t *heap = NULL;
  size_t heap_bytes = 0, n_blocks = 0, n_hyper = 0;
  const double *blocks = NULL, *hy = NULL;
  if (!read_args(env, info, "soapStep", &heap, &heap_bytes, &blocks, &n_blocks, &hy, &n_hyper)) return NULL;
  if (n_blocks % SOAP_FIELDS != 0 || n_hyper != 9) return throw_message(env, "soapStep", "14 numbers per block and 9 hyperparameters expected");
  const size_t count = n_blocks / SOAP_FIELDS;
  const soap_hyper h = {(float)hy[0], (float)hy[1], (float)hy[2], (float)hy[3], (float)hy[4], (float)hy[5],
                        (float)hy[6], (float)hy[7], hy[5] > 0, hy[8] != 0};
  soap_block *list = calloc(count > 0 ? count : 1, sizeof(soap_block));
  if (list == NULL) return throw_message(env, "soapStep", "out of memory");
  int64_t mat = 1;
  int dmax = 1;
  bool bad = false;
  for (size_t k = 0; k < count && !bad; k++) {
    const double *f = blocks + k * SOAP_FIELDS;
    soap_block *b = &list[k];
    if (f[0] < 1 || f[1] < 1 || f[0] > INT32_MAX || f[1] > INT32_MAX) {
      bad = true;
      break;
    }
    b->rows = (int)f[0];
    b->cols = (int)f[1];
    b->refresh = f[2] != 0;
    b->alpha = (float)f[3];
    const double n = (double)b->rows * b->cols, l2 = (double)b->rows * b->rows, r2 = (double)b->cols * b->cols;
    b->w = at(heap, heap_bytes, f[4], n, &bad);
    b->g = at(heap, heap_bytes, f[5], n, &bad);
    b->m = at(heap, heap_bytes, f[6], n, &bad);
    b->v = at(heap, heap_bytes, f[7], n, &bad);
    b->l = at(heap, heap_bytes, f[8], l2, &bad);
    b->ql = at(heap, heap_bytes, f[9], l2, &bad);
    b->qlt = at(heap, heap_bytes, f[10], l2, &bad);
    b->r = at(heap, heap_bytes, f[11], r2, &bad);
    b->qr = at(heap, heap_bytes, f[12], r2, &bad);
    b->qrt = at(heap, heap_bytes, f[13], r2, &bad);
    if (b->w == NULL || b->g == NULL || b->m == NULL || b->v == NULL) bad = true;
    if ((b->l == NULL) != (b->ql == NULL) || (b->ql == NULL) != (b->qlt == NULL)) bad = true;
    if ((b->r == NULL) != (b->qr == NULL) || (b->qr == NULL) != (b->qrt == NULL)) bad = true;
    if ((int64_t)n > mat) mat = (int64_t)n;
    if (b->l != NULL && b->rows > dmax) dmax = b->rows;
    if (b->r != NULL && b->cols > dmax) dmax = b->cols;
  }
  if (bad) {
    free(list);
    return throw_message(env, "soapStep", "a block's sizes or operands are invalid or outside the heap");
  }
  scratch s;
  if (!alloc_scratch(&s, mat, dmax)) {
    free_scratch(&s);
    free(list);
    return throw_message(env, "soapStep", "out of memory");
  }
  bool ok = true;
  for (size_t k = 0; k < count && ok; k++) ok = soap_block_step(&list[k], &h, &s);
  free_scratch(&s);
  free(list);
  if (!ok) return throw_message(env, "soapStep", "LAPACK's QR failed in a basis refresh");
  return NULL;
}

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

static bool fismo_refresh_roots(const fisher_side *side, int d, fismo_scratch *s) {
  symmetrised_factor(side, d, s->a);
  for (size_t i = 0; i < (size_t)d * d; i++)
    if (!isfinite(s->a[i])) return false;
  int info = 0;
  dsyevd_("V", "U", &d, s->a, &d, s->w, s->work, &s->lwork, s->iwork, &s->liwork, &info, 1, 1);
  if (info != 0) {
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

/*
 * fismoStep(heap, items, hyper): one FISMO (or Muon: no factors) update of every item, in place.
 * items: FISMO_FIELDS numbers each (see above); hyper: [β, γ, μ, nesterov, 1 − lr·λ, λ > 0,
 * nsSteps, a, b, c, adamLr, adamβ1, adamβ2, adamε, adamλ].
 */
napi_value imitate_fismo_step(napi_env env, napi_callback_info info) {
  uint8_t *heap = NULL;
  size_t heap_bytes = 0, n_items = 0, n_hyper = 0;
  const double *items = NULL, *hy = NULL;
  if (!read_args(env, info, "fismoStep", &heap, &heap_bytes, &items, &n_items, &hy, &n_hyper)) return NULL;
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
  fismo_scratch s;
  if (!alloc_fismo_scratch(&s, mat, dmax)) {
    free_fismo_scratch(&s);
    free(list);
    return throw_message(env, "fismoStep", "out of memory");
  }
  bool ok = true;
  for (size_t k = 0; k < count && ok; k++) {
    if (list[k].kind == 2) fismo_adamw_step(&list[k], &h);
    else ok = fismo_matrix_step(&list[k], &h, &s);
  }
  free_fismo_scratch(&s);
  free(list);
  if (!ok) return throw_message(env, "fismoStep", "a Fisher factor has no eigendecomposition: it is not finite (a NaN or infinite gradient), or LAPACK's dsyevd and dsyev both failed on it");
  return NULL;
}
