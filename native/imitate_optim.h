/* The fused optimizer steps of native/soap_step.c and native/fismo_step.c, registered by native/imitate_blas.c. */
#ifndef IMITATE_OPTIM_H
#define IMITATE_OPTIM_H
#include <node_api.h>
#include <stdbool.h>

napi_value imitate_soap_step(napi_env env, napi_callback_info info);
napi_value imitate_soap_settle(napi_env env, napi_callback_info info);
napi_value imitate_fismo_step(napi_env env, napi_callback_info info);

/* Makes FISMO's inverse roots take the dsyev fallback even where dsyevd succeeds (on) or not; returns the fallbacks taken so far. For tests. */
long fismo_force_eigen_fallback(bool on);

#endif
