/*
 * imitate_blas: single-precision matrix products from a CBLAS (OpenBLAS on Linux, Accelerate on
 * macOS) for the tfjs wasm backend. The wasm backend keeps every tensor in its WebAssembly heap,
 * one ArrayBuffer, so the kernel passes that buffer and byte offsets and we multiply in place:
 * nothing is copied in or out.
 *
 * The CBLAS prototype is declared here rather than taken from <cblas.h>: distributions install
 * that header under different paths (and Accelerate under another name), while the symbol and its
 * enum values are fixed by the CBLAS standard.
 */
#include <node_api.h>
#include "imitate_optim.h"
#include "parallel.h"
#include <stdbool.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
extern void cblas_sgemv(int order, int trans, int m, int n, float alpha, const float *a, int lda,
                        const float *x, int incx, float beta, float *y, int incy);
extern void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                        const float *a, int lda, const float *b, int ldb, float beta, float *c,
                        int ldc);
#ifdef IMITATE_OPENBLAS
extern void openblas_set_num_threads(int n);
extern int openblas_get_num_threads(void);
#endif

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* Throws "imitate_blas.<fn>: <what>" and returns false. */
static bool complain(napi_env env, const char *fn, const char *what) {
  char message[160];
  snprintf(message, sizeof message, "imitate_blas.%s: %s", fn, what);
  napi_throw_error(env, NULL, message);
  return false;
}

/* Every entry point's first steps: exactly `want` arguments, the first of them the wasm heap. */
static bool read_call(napi_env env, napi_callback_info info, const char *fn, size_t want, napi_value *argv, uint8_t **heap, size_t *heap_bytes) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != want) return complain(env, fn, "wrong number of arguments");
  void *data = NULL;
  if (napi_get_arraybuffer_info(env, argv[0], &data, heap_bytes) != napi_ok) return complain(env, fn, "the heap must be an ArrayBuffer");
  *heap = (uint8_t *)data;
  return true;
}

/* argv[first .. first+count) as non-negative integers. */
static bool read_sizes(napi_env env, const char *fn, napi_value *argv, size_t first, size_t count, int64_t *out) {
  for (size_t i = 0; i < count; i++) {
    if (napi_get_value_int64(env, argv[first + i], &out[i]) != napi_ok || out[i] < 0) return complain(env, fn, "offsets, sizes and strides must be non-negative numbers");
  }
  return true;
}

/*
 * sgemm(heap, aOffset, bOffset, cOffset, batch, m, n, k, strideA, strideB, transA, transB)
 * For each i < batch: C_i (m×n) = op(A_i)·op(B_i), row-major, A_i starting strideA floats after
 * A_{i-1} (0 repeats one matrix over the batch), likewise B; C is contiguous. Offsets are bytes
 * into `heap`. The caller checks shapes; bounds are checked here so a bad call cannot scribble
 * outside the heap.
 */
static napi_value sgemm(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  uint8_t *heap = NULL;
  size_t heap_bytes = 0;
  int64_t v[9];
  if (!read_call(env, info, "sgemm", 12, argv, &heap, &heap_bytes) || !read_sizes(env, "sgemm", argv, 1, 9, v)) return NULL;
  bool trans_a = false, trans_b = false;
  if (napi_get_value_bool(env, argv[10], &trans_a) != napi_ok ||
      napi_get_value_bool(env, argv[11], &trans_b) != napi_ok) {
    return fail(env, "imitate_blas.sgemm: transpose flags must be booleans");
  }
  const int64_t a_off = v[0], b_off = v[1], c_off = v[2], batch = v[3], m = v[4], n = v[5],
                k = v[6], stride_a = v[7], stride_b = v[8];
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) return fail(env, "imitate_blas.sgemm: dimension too large");
  if ((a_off | b_off | c_off) & 3) return fail(env, "imitate_blas.sgemm: offsets must be float-aligned");
  const int64_t last = batch > 0 ? batch - 1 : 0;
  const int64_t a_end = a_off + 4 * (last * stride_a + m * k);
  const int64_t b_end = b_off + 4 * (last * stride_b + k * n);
  const int64_t c_end = c_off + 4 * (batch * m * n);
  if (a_end > (int64_t)heap_bytes || b_end > (int64_t)heap_bytes || c_end > (int64_t)heap_bytes) {
    return fail(env, "imitate_blas.sgemm: operand outside the heap");
  }
  const float *a = (const float *)(heap + a_off);
  const float *b = (const float *)(heap + b_off);
  float *c = (float *)(heap + c_off);
  /* Row-major leading dimensions are the stored row lengths: op(A) is m×k, stored k wide
     unless transposed (then m wide); op(B) is k×n, stored n wide unless transposed (k wide). */
  const int lda = trans_a ? (int)m : (int)k;
  const int ldb = trans_b ? (int)k : (int)n;
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(ROW_MAJOR, trans_a ? TRANS : NO_TRANS, trans_b ? TRANS : NO_TRANS, (int)m, (int)n,
                (int)k, 1.0f, a + i * stride_a, lda, b + i * stride_b, ldb, 0.0f, c + i * m * n,
                (int)n);
  }
  return NULL;
}

/*
 * dense(heap, xOffset, wOffset, bOffset, outOffset, n, k, m, relu)
 * out (n×m) = x (n×k)·W (k×m), then + b (m) per row, then max(·, 0) when relu: the product first
 * and the bias after it, exactly as the separate matmul, add and relu kernels round.
 */
static napi_value dense(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  uint8_t *heap = NULL;
  size_t heap_bytes = 0;
  int64_t v[7];
  if (!read_call(env, info, "dense", 9, argv, &heap, &heap_bytes) || !read_sizes(env, "dense", argv, 1, 7, v)) return NULL;
  bool relu = false;
  if (napi_get_value_bool(env, argv[8], &relu) != napi_ok) return fail(env, "imitate_blas.dense: relu must be a boolean");
  const int64_t n = v[4], k = v[5], m = v[6];
  if (n > INT32_MAX || k > INT32_MAX || m > INT32_MAX) return fail(env, "imitate_blas.dense: dimension too large");
  const int64_t ends[4] = {v[0] + 4 * n * k, v[1] + 4 * k * m, v[2] + 4 * m, v[3] + 4 * n * m};
  for (int i = 0; i < 4; i++) {
    if ((v[i] & 3) || ends[i] > (int64_t)heap_bytes) return fail(env, "imitate_blas.dense: operand outside the heap");
  }
  const float *x = (const float *)(heap + v[0]), *w = (const float *)(heap + v[1]), *b = (const float *)(heap + v[2]);
  float *out = (float *)(heap + v[3]);
  cblas_sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, (int)n, (int)m, (int)k, 1.0f, x, (int)k, w, (int)m, 0.0f, out, (int)m);
  for (int64_t r = 0; r < n; r++) {
    float *row = out + r * m;
    if (relu) {
      for (int64_t c = 0; c < m; c++) {
        const float z = row[c] + b[c];
        row[c] = z > 0.0f ? z : 0.0f;
      }
    } else {
      for (int64_t c = 0; c < m; c++) row[c] = row[c] + b[c];
    }
  }
  return NULL;
}

/*
 * forward(heap, offsets, dims, relu, input, output)
 * One input vector through an MLP whose weights live in the heap: offsets (Float64Array) holds
 * W_0, b_0, W_1, b_1, ... byte offsets; dims (Int32Array) the widths d_0..d_L, W_l being
 * d_l×d_{l+1} row-major; ReLU after every layer but the last when relu is true. input (d_0) and
 * output (d_L) are Float32Arrays. For acting: no tensor, no kernel, no read-back.
 */
static napi_value forward(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  uint8_t *heap = NULL;
  size_t heap_bytes = 0;
  if (!read_call(env, info, "forward", 6, argv, &heap, &heap_bytes)) return NULL;
  napi_typedarray_type types[4];
  size_t lengths[4];
  void *data[4];
  const napi_typedarray_type want[4] = {napi_float64_array, napi_int32_array, napi_float32_array, napi_float32_array};
  const int arg_of[4] = {1, 2, 4, 5};
  for (int i = 0; i < 4; i++) {
    if (napi_get_typedarray_info(env, argv[arg_of[i]], &types[i], &lengths[i], &data[i], NULL, NULL) != napi_ok || types[i] != want[i]) {
      return fail(env, "imitate_blas.forward: offsets must be a Float64Array, dims an Int32Array, input and output Float32Arrays");
    }
  }
  bool relu = false;
  if (napi_get_value_bool(env, argv[3], &relu) != napi_ok) return fail(env, "imitate_blas.forward: relu must be a boolean");
  const double *offsets = (const double *)data[0];
  const int32_t *dims = (const int32_t *)data[1];
  const size_t layers = lengths[1] - 1;
  if (lengths[1] < 2 || lengths[0] != 2 * layers || lengths[2] != (size_t)dims[0] || lengths[3] != (size_t)dims[layers]) {
    return fail(env, "imitate_blas.forward: offsets, dims, input and output do not agree");
  }
  int32_t widest = 0;
  for (size_t l = 0; l <= layers; l++) {
    if (dims[l] <= 0) return fail(env, "imitate_blas.forward: widths must be positive");
    if (dims[l] > widest) widest = dims[l];
  }
  for (size_t l = 0; l < layers; l++) {
    const double w_end = offsets[2 * l] + 4.0 * dims[l] * dims[l + 1], b_end = offsets[2 * l + 1] + 4.0 * dims[l + 1];
    if (offsets[2 * l] < 0 || offsets[2 * l + 1] < 0 || w_end > (double)heap_bytes || b_end > (double)heap_bytes) {
      return fail(env, "imitate_blas.forward: weights outside the heap");
    }
  }
  float *buffers = (float *)malloc(sizeof(float) * 2 * (size_t)widest);
  if (buffers == NULL) return fail(env, "imitate_blas.forward: out of memory");
  const float *x = (const float *)data[2];
  float *ping = buffers, *pong = buffers + widest;
  uint8_t *base = heap;
  for (size_t l = 0; l < layers; l++) {
    const int in = dims[l], out = dims[l + 1];
    const float *w = (const float *)(base + (int64_t)offsets[2 * l]);
    const float *b = (const float *)(base + (int64_t)offsets[2 * l + 1]);
    float *y = l + 1 == layers ? (float *)data[3] : ping;
    /* y = Wᵀx with W stored in×out row-major. */
    cblas_sgemv(ROW_MAJOR, TRANS, in, out, 1.0f, w, out, x, 1, 0.0f, y, 1);
    const bool act = relu && l + 1 < layers;
    for (int j = 0; j < out; j++) {
      const float z = y[j] + b[j];
      y[j] = act ? (z > 0.0f ? z : 0.0f) : z;
    }
    x = y;
    float *t = ping;
    ping = pong;
    pong = t;
  }
  free(buffers);
  return NULL;
}

/* Reads a Float64Array argument; NULL (with a JS error thrown) when it is not one. */
static const double *float64_array(napi_env env, napi_value value, size_t *length, const char *what) {
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &data, NULL, NULL) != napi_ok || type != napi_float64_array) {
    napi_throw_type_error(env, NULL, what);
    return NULL;
  }
  return (const double *)data;
}

/* Checks that each offset in offsets[0..count) starts a float-aligned run of sizes[i / per] floats inside the heap. */
static bool in_heap(const double *offsets, size_t count, size_t per, const double *sizes, size_t heap_bytes) {
  for (size_t i = 0; i < count; i++) {
    const double off = offsets[i], n = sizes[i / per];
    if (off < 0 || n < 0 || ((int64_t)off & 3) || off + 4.0 * n > (double)heap_bytes) return false;
  }
  return true;
}

/*
 * adam(heap, offsets, sizes, hyper)
 * One Adam step for every variable i: offsets holds 7 byte offsets per variable (p, g, m, v, and
 * the fresh outputs p', m', v'), sizes the element counts, hyper [β1, 1−β1, β2, 1−β2, step size,
 * 1/√(1−β2^t), ε]. Inputs are never modified. The float32 operations are src/optim/adam.ts's tf
 * ops in the same order (the build disables FMA contraction), so the result is bit-identical:
 *   m' = b1·m + c1·g;  v' = b2·v + c2·g²;  p' = p − s·(m' / (√v'·r + ε)).
 */
static napi_value adam(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  uint8_t *heap = NULL;
  size_t heap_bytes = 0, n_off = 0, n_sizes = 0, n_hyper = 0;
  if (!read_call(env, info, "adam", 4, argv, &heap, &heap_bytes)) return NULL;
  const double *offsets = float64_array(env, argv[1], &n_off, "imitate_blas.adam: offsets must be a Float64Array");
  if (offsets == NULL) return NULL;
  const double *sizes = float64_array(env, argv[2], &n_sizes, "imitate_blas.adam: sizes must be a Float64Array");
  if (sizes == NULL) return NULL;
  const double *h = float64_array(env, argv[3], &n_hyper, "imitate_blas.adam: hyper must be a Float64Array");
  if (h == NULL) return NULL;
  if (n_off != 7 * n_sizes || n_hyper != 7) return fail(env, "imitate_blas.adam: 7 offsets per variable and 7 hyperparameters expected");
  if (!in_heap(offsets, n_off, 7, sizes, heap_bytes)) return fail(env, "imitate_blas.adam: operand outside the heap");
  const float b1 = (float)h[0], c1 = (float)h[1], b2 = (float)h[2], c2 = (float)h[3];
  const float step = (float)h[4], r = (float)h[5], eps = (float)h[6];
  uint8_t *base = heap;
  for (size_t k = 0; k < n_sizes; k++) {
    const double *o = offsets + 7 * k;
    const float *p = (const float *)(base + (int64_t)o[0]), *g = (const float *)(base + (int64_t)o[1]);
    const float *m = (const float *)(base + (int64_t)o[2]), *v = (const float *)(base + (int64_t)o[3]);
    float *p_out = (float *)(base + (int64_t)o[4]), *m_out = (float *)(base + (int64_t)o[5]), *v_out = (float *)(base + (int64_t)o[6]);
    const int64_t n = (int64_t)sizes[k];
    for (int64_t i = 0; i < n; i++) {
      const float gi = g[i];
      const float mi = b1 * m[i] + c1 * gi;
      const float vi = b2 * v[i] + c2 * (gi * gi);
      const float denom = sqrtf(vi) * r + eps;
      m_out[i] = mi;
      v_out[i] = vi;
      p_out[i] = p[i] - step * (mi / denom);
    }
  }
  return NULL;
}

/*
 * polyak(heap, offsets, sizes, keep, mix)
 * out_i = keep·target_i + mix·source_i for every pair i; offsets holds 3 byte offsets per pair
 * (target, source, fresh output). Same float32 operations as src/nn/polyak.ts's tf ops.
 */
static napi_value polyak(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  uint8_t *heap = NULL;
  size_t heap_bytes = 0, n_off = 0, n_sizes = 0;
  if (!read_call(env, info, "polyak", 5, argv, &heap, &heap_bytes)) return NULL;
  const double *offsets = float64_array(env, argv[1], &n_off, "imitate_blas.polyak: offsets must be a Float64Array");
  if (offsets == NULL) return NULL;
  const double *sizes = float64_array(env, argv[2], &n_sizes, "imitate_blas.polyak: sizes must be a Float64Array");
  if (sizes == NULL) return NULL;
  double keep_d = 0, mix_d = 0;
  if (napi_get_value_double(env, argv[3], &keep_d) != napi_ok || napi_get_value_double(env, argv[4], &mix_d) != napi_ok) {
    return fail(env, "imitate_blas.polyak: keep and mix must be numbers");
  }
  if (n_off != 3 * n_sizes) return fail(env, "imitate_blas.polyak: 3 offsets per pair expected");
  if (!in_heap(offsets, n_off, 3, sizes, heap_bytes)) return fail(env, "imitate_blas.polyak: operand outside the heap");
  const float keep = (float)keep_d, mix = (float)mix_d;
  uint8_t *base = heap;
  for (size_t k = 0; k < n_sizes; k++) {
    const double *o = offsets + 3 * k;
    const float *t = (const float *)(base + (int64_t)o[0]), *s = (const float *)(base + (int64_t)o[1]);
    float *out = (float *)(base + (int64_t)o[2]);
    const int64_t n = (int64_t)sizes[k];
    for (int64_t i = 0; i < n; i++) out[i] = keep * t[i] + mix * s[i];
  }
  return NULL;
}

/* The single positive-integer argument of a call; false (with an exception) otherwise. */
static bool thread_count_argument(napi_env env, napi_callback_info info, const char *fn, int32_t *threads) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_int32(env, argv[0], threads) != napi_ok || *threads < 1) {
    return complain(env, fn, "expected a positive integer");
  }
  return true;
}

static napi_value int_value(napi_env env, int value) {
  napi_value out;
  napi_create_int32(env, value, &out);
  return out;
}

/* setThreads(n): BLAS threads (OpenBLAS only; elsewhere a no-op). Returns the count in use. */
static napi_value set_threads(napi_env env, napi_callback_info info) {
  int32_t threads = 0;
  if (!thread_count_argument(env, info, "setThreads", &threads)) return NULL;
  int in_use = 1;
#ifdef IMITATE_OPENBLAS
  openblas_set_num_threads(threads);
  in_use = openblas_get_num_threads();
#endif
  return int_value(env, in_use);
}

/* threads(): BLAS threads in use (1 where the library does not say). */
static napi_value get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  int in_use = 1;
#ifdef IMITATE_OPENBLAS
  in_use = openblas_get_num_threads();
#endif
  return int_value(env, in_use);
}

/* setOptimThreads(n): threads of the fused optimizer steps' loops over parameter blocks (native/parallel.c). Returns the count. */
static napi_value set_optim_threads_call(napi_env env, napi_callback_info info) {
  int32_t threads = 0;
  if (!thread_count_argument(env, info, "setOptimThreads", &threads)) return NULL;
  set_optim_threads(threads);
  return int_value(env, optim_threads());
}

/* forceEigenFallback(on): FISMO's dsyev fallback for every eigendecomposition (tests); returns the fallbacks taken so far. */
static napi_value force_eigen_fallback(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool on = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_bool(env, argv[0], &on) != napi_ok)
    return fail(env, "imitate_blas.forceEigenFallback: expected a boolean");
  return int_value(env, (int)fismo_force_eigen_fallback(on));
}

static napi_value init(napi_env env, napi_value exports) {
  const char *library =
#ifdef IMITATE_OPENBLAS
      "openblas";
#elif defined(__APPLE__)
      "accelerate";
#else
      "cblas";
#endif
  napi_value lib;
  napi_create_string_utf8(env, library, NAPI_AUTO_LENGTH, &lib);
  napi_property_descriptor props[] = {
      {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
      {"adam", NULL, adam, NULL, NULL, NULL, napi_default, NULL},
      {"polyak", NULL, polyak, NULL, NULL, NULL, napi_default, NULL},
      {"soapStep", NULL, imitate_soap_step, NULL, NULL, NULL, napi_default, NULL},
      {"soapSettle", NULL, imitate_soap_settle, NULL, NULL, NULL, napi_default, NULL},
      {"fismoStep", NULL, imitate_fismo_step, NULL, NULL, NULL, napi_default, NULL},
      {"dense", NULL, dense, NULL, NULL, NULL, napi_default, NULL},
      {"forward", NULL, forward, NULL, NULL, NULL, napi_default, NULL},
      {"forceEigenFallback", NULL, force_eigen_fallback, NULL, NULL, NULL, napi_default, NULL},
      {"setOptimThreads", NULL, set_optim_threads_call, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"threads", NULL, get_threads, NULL, NULL, NULL, napi_default, NULL},
      {"library", NULL, NULL, NULL, NULL, lib, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
