/*
 * What the fused optimizer steps (soap_step.c, fismo_step.c) share: the CBLAS and LAPACK
 * prototypes, reading the (heap, blocks, hyper) arguments, and small product helpers. The
 * prototypes are declared here because header names and integer types differ between
 * distributions while the symbols do not (OpenBLAS bundles LAPACK; Accelerate exports the same
 * Fortran symbols).
 */
#ifndef IMITATE_OPTIM_COMMON_H
#define IMITATE_OPTIM_COMMON_H
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112, UPPER = 121 };
extern void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
                        const float *b, int ldb, float beta, float *c, int ldc);
extern void cblas_ssyrk(int order, int uplo, int trans, int n, int k, float alpha, const float *a, int lda, float beta,
                        float *c, int ldc);
extern void cblas_dsyrk(int order, int uplo, int trans, int n, int k, double alpha, const double *a, int lda,
                        double beta, double *c, int ldc);
extern void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work, const int *lwork,
                    int *info);
extern void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau, float *work, const int *lwork,
                    int *info);
extern void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda, const float *tau, float *work,
                    const int *lwork, int *info);
extern void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau,
                    double *work, const int *lwork, int *info);
/* The trailing lengths are gfortran's hidden character-argument lengths; other ABIs ignore them. */
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                    double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t jobz_len,
                    size_t uplo_len);
extern void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                   double *work, const int *lwork, int *info, size_t jobz_len, size_t uplo_len);

/* Throws "imitate_blas.<fn>: <what>" and returns NULL. */
napi_value throw_message(napi_env env, const char *fn, const char *what);

/*
 * Reads (heap: ArrayBuffer, blocks: Float64Array, hyper: Float64Array[, extra]); `extra` (may be
 * NULL) receives a fourth argument, or undefined when there is none. Throws and returns false on a
 * wrong argument.
 */
bool read_args(napi_env env, napi_callback_info info, const char *fn, uint8_t **heap, size_t *heap_bytes,
               const double **blocks, size_t *n_blocks, const double **hyper, size_t *n_hyper, napi_value *extra);

/* The float32 run of `count` values at byte `offset`, or NULL when it is absent (offset < 0). Sets *bad when the run is not inside the heap. */
float *at(uint8_t *heap, size_t heap_bytes, double offset, double count, bool *bad);

/* Row-major C (m×n) = alpha·op(A)·op(B) + beta·C. */
void mm(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, const float *b, float beta, float *c);

/* C (d×d) = A·Aᵀ (A d×k, trans false) or AᵀA (A k×d, trans true), full symmetric. */
void gram(bool trans, int d, int k, const float *a, float *c);

#endif
