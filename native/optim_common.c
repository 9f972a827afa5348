/* The helpers of optim_common.h. */
#include "optim_common.h"
#include <stdio.h>

/* ---------------------------------------------------------------------------------------------- */
/* Argument reading                                                                               */

napi_value throw_message(napi_env env, const char *fn, const char *what) {
  char message[200];
  snprintf(message, sizeof message, "imitate_blas.%s: %s", fn, what);
  napi_throw_error(env, NULL, message);
  return NULL;
}

bool read_args(napi_env env, napi_callback_info info, const char *fn, uint8_t **heap, size_t *heap_bytes,
               const double **blocks, size_t *n_blocks, const double **hyper, size_t *n_hyper, napi_value *extra) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || argc > (extra != NULL ? 4u : 3u)) {
    throw_message(env, fn, extra != NULL ? "expected (heap, blocks, hyper[, job])" : "expected (heap, blocks, hyper)");
    return false;
  }
  if (extra != NULL) {
    if (argc == 4) *extra = argv[3];
    else napi_get_undefined(env, extra);
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
float *at(uint8_t *heap, size_t heap_bytes, double offset, double count, bool *bad) {
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
void mm(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, const float *b, float beta,
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
void gram(bool trans, int d, int k, const float *a, float *c) {
  cblas_ssyrk(ROW_MAJOR, UPPER, trans ? TRANS : NO_TRANS, d, k, 1.0f, a, trans ? d : k, 0.0f, c, d);
  mirror(c, d);
}
