/**
 * The optional native BLAS matmul for the wasm backend.
 *
 * The wasm backend keeps every tensor in one WebAssembly heap (an ArrayBuffer). Its BatchMatMul
 * kernel is replaced here by one that hands that heap and the operands' byte offsets to a small
 * N-API addon (native/imitate_blas.c) calling `cblas_sgemm`: no copy in or out, and transposes are
 * free in BLAS, where XNNPACK only takes flag-free 2-D products (spec/tfjs-backends.md). The
 * addon is built at install time where a C compiler and a CBLAS exist (native/build.mjs); where it
 * is absent, or `IMITATE_NATIVE_BLAS=0`, nothing changes and the wasm kernels run.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { packageRoot } from './package-root.js';

/** The addon's interface (native/imitate_blas.c). */
export interface BlasAddon {
  /** C_i = op(A_i)·op(B_i) for i < batch, offsets in bytes into `heap`, strides in floats. */
  sgemm(heap: ArrayBuffer, aOffset: number, bOffset: number, cOffset: number, batch: number, m: number, n: number, k: number, strideA: number, strideB: number, transA: boolean, transB: boolean): void;
  /** One Adam step for several variables into fresh outputs: 7 offsets per variable (see native/imitate_blas.c). */
  adam(heap: ArrayBuffer, offsets: Float64Array, sizes: Float64Array, hyper: Float64Array): void;
  /** out = keep·target + mix·source for several pairs: 3 offsets per pair. */
  polyak(heap: ArrayBuffer, offsets: Float64Array, sizes: Float64Array, keep: number, mix: number): void;
  /** out = act(x·W + b) for x [n,k], W [k,m], b [m]; act is relu or the identity. */
  dense(heap: ArrayBuffer, x: number, w: number, b: number, out: number, n: number, k: number, m: number, relu: boolean): void;
  /** One input vector through an MLP whose weights live in the heap (see native/imitate_blas.c). */
  forward(heap: ArrayBuffer, offsets: Float64Array, dims: Int32Array, relu: boolean, input: Float32Array, output: Float32Array): void;
  /**
   * One SOAP step for every block, in place (native/soap_step.c; src/optim/soap-native.ts builds the
   * call). With `job` (null, or what the previous call returned) the preconditioner's upkeep runs in
   * the background and the job to pass next is returned. Absent from addons built before it.
   */
  soapStep?(heap: ArrayBuffer, blocks: Float64Array, hyper: Float64Array, job?: SoapJob | null): SoapJob | undefined;
  /** Joins a SOAP job and writes all the state it holds to the heap (native/soap_step.c). */
  soapSettle?(heap: ArrayBuffer, blocks: Float64Array, hyper: Float64Array, job: SoapJob): void;
  /** One FISMO/Muon step for every item, in place (native/fismo_step.c; src/native-optim.ts builds the call). */
  fismoStep?(heap: ArrayBuffer, items: Float64Array, hyper: Float64Array): void;
  setThreads(n: number): number;
  threads(): number;
  /** Tests: FISMO's inverse roots by the dsyev fallback even where dsyevd succeeds; returns the fallbacks taken so far. */
  forceEigenFallback?(on: boolean): number;
  /** Threads of the fused optimizer steps' loops over parameter blocks (native/parallel.c); returns the count. Absent from older addons. */
  setOptimThreads?(n: number): number;
  /** Which CBLAS it was linked against: openblas, accelerate or cblas. */
  library: string;
}

/** A SOAP step's upkeep running in the background: an opaque handle owned by the addon. */
export type SoapJob = { readonly __soapJob: unique symbol };

/** Whether the native matmul is serving the wasm backend, and why (printed by `imitate info`). */
export interface NativeBlasInfo {
  active: boolean;
  /** Why active or not, in words. */
  reason: string;
  library?: string;
  threads?: number;
  /** Threads of the fused optimizer steps (IMITATE_OPTIM_THREADS). */
  optimThreads?: number;
  path?: string;
}

const ADDON_RELATIVE = path.join('build', 'Release', 'imitate_blas.node');

let addon: BlasAddon | null = null;
let status: NativeBlasInfo = { active: false, reason: 'not initialised (the backend is not wasm)' };
/** Benchmarks and tests switch the installed kernel off and on to compare both paths in one process. */
let bypassed = false;

/** Whether the native kernel is installed and serving the wasm backend's matmuls now. */
export function nativeBlasActive(): boolean {
  return status.active && !bypassed && tf.getBackend() === 'wasm';
}

/**
 * Routes matmuls back to the wasm kernels (`false`) or to the native one again (`true`), without
 * unregistering anything: for benchmarks and tests that compare both paths in one process.
 * Returns whether the native path is now active.
 */
export function setNativeBlasEnabled(on: boolean): boolean {
  bypassed = !on;
  return nativeBlasActive();
}

/** The addon while it serves the wasm backend (see {@link nativeBlasActive}), else null. */
export function activeBlasAddon(): BlasAddon | null {
  return nativeBlasActive() ? addon : null;
}

/** The current state, for `imitate info` and run metadata. */
export function nativeBlasInfo(): NativeBlasInfo {
  return { ...status };
}

/** Loads the addon, or says why not. */
export function loadBlasAddon(): { addon: BlasAddon; path: string } | { addon: null; why: string } {
  const root = packageRoot();
  if (root === null) return { addon: null, why: 'package root not found' };
  const file = path.join(root, ADDON_RELATIVE);
  if (!existsSync(file)) return { addon: null, why: `addon not built (${ADDON_RELATIVE} absent; it needs a C compiler and OpenBLAS/Accelerate at install)` };
  try {
    return { addon: createRequire(import.meta.url)(file) as BlasAddon, path: file };
  } catch (e) {
    return { addon: null, why: `addon failed to load: ${(e as Error).message}` };
  }
}

/** What the wasm backend object exposes that the kernel needs (not in tfjs's public types). */
interface WasmBackendLike {
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  wasm: { HEAPU8: Uint8Array };
}

/**
 * Installs the native BatchMatMul on the wasm backend (which must be active), unless
 * `IMITATE_NATIVE_BLAS=0` or the addon is absent. Idempotent. `threads` sets the BLAS thread count
 * (default `IMITATE_BLAS_THREADS`, else 1: the rest of an update is single-threaded wasm and the
 * products are small, so more threads mostly add synchronisation). The fused SOAP and FISMO/Muon
 * steps spread their parameter blocks over `IMITATE_OPTIM_THREADS` threads (default 2, at most the
 * cores; 1 when OpenBLAS has several, whose spinning workers would fight ours): whole blocks per
 * thread, so the results do not depend on the count.
 */
export function enableNativeBlas(env: NodeJS.ProcessEnv = process.env): NativeBlasInfo {
  if (status.active) return nativeBlasInfo();
  if (tf.getBackend() !== 'wasm') {
    status = { active: false, reason: `the backend is ${tf.getBackend()}, not wasm` };
    return nativeBlasInfo();
  }
  if (env.IMITATE_NATIVE_BLAS === '0') {
    status = { active: false, reason: 'IMITATE_NATIVE_BLAS=0' };
    return nativeBlasInfo();
  }
  const loaded = loadBlasAddon();
  if (loaded.addon === null) {
    status = { active: false, reason: loaded.why };
    return nativeBlasInfo();
  }
  const requested = Number(env.IMITATE_BLAS_THREADS ?? 1);
  if (!Number.isInteger(requested) || requested < 1) throw new Error(`IMITATE_BLAS_THREADS must be a positive integer, got '${env.IMITATE_BLAS_THREADS}'`);
  const optimRequested = Number(env.IMITATE_OPTIM_THREADS ?? (requested > 1 ? 1 : Math.min(2, availableParallelism())));
  if (!Number.isInteger(optimRequested) || optimRequested < 1) throw new Error(`IMITATE_OPTIM_THREADS must be a positive integer, got '${env.IMITATE_OPTIM_THREADS}'`);
  addon = loaded.addon;
  const threads = addon.setThreads(requested);
  const optimThreads = addon.setOptimThreads?.(optimRequested);
  installKernel(addon);
  status = { active: true, reason: 'native addon found', library: addon.library, threads, optimThreads, path: ADDON_RELATIVE };
  return nativeBlasInfo();
}

function installKernel(blas: BlasAddon): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (original === undefined) throw new Error('wasm backend has no BatchMatMul kernel to replace');
  const fallback = original.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { a: tf.TensorInfo; b: tf.TensorInfo }; backend: WasmBackendLike; attrs: { transposeA: boolean; transposeB: boolean } };
    const plan = bypassed ? null : planMatMul(inputs.a, inputs.b, attrs.transposeA, attrs.transposeB);
    if (plan === null) return fallback(args);
    const out = backend.makeOutput(plan.outShape, 'float32');
    // makeOutput may grow the heap, which replaces its buffer: take offsets and buffer after it.
    const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    blas.sgemm(heap, backend.dataIdMap.get(inputs.a.dataId).memoryOffset, backend.dataIdMap.get(inputs.b.dataId).memoryOffset, backend.dataIdMap.get(out.dataId).memoryOffset, plan.batch, plan.m, plan.n, plan.k, plan.strideA, plan.strideB, attrs.transposeA, attrs.transposeB);
    return out;
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc });
  if (tf.getKernel(DENSE_KERNEL, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: DENSE_KERNEL, backendName: 'wasm', kernelFunc: (args) => denseKernel(blas, args as unknown as DenseKernelArgs) });
  }
  if (tf.getKernel(ADAM_KERNEL, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: 'wasm', kernelFunc: (args) => adamKernel(blas, args as unknown as MultiKernelArgs) });
  }
  if (tf.getKernel(POLYAK_KERNEL, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: POLYAK_KERNEL, backendName: 'wasm', kernelFunc: (args) => polyakKernel(blas, args as unknown as MultiKernelArgs) });
  }
}

/**
 * Name of the fused dense layer on the native path: inputs x [n,k], w [k,m], b [m]; attr `relu`;
 * output relu?(x·w + b). Its gradient is registered in src/nn/dense.ts.
 */
export const DENSE_KERNEL = 'ImitateDense';

interface DenseKernelArgs {
  inputs: { x: tf.TensorInfo; w: tf.TensorInfo; b: tf.TensorInfo };
  backend: WasmBackendLike;
  attrs: { relu: boolean };
}

function denseKernel(blas: BlasAddon, { inputs, backend, attrs }: DenseKernelArgs): tf.TensorInfo {
  const { x, w, b } = inputs;
  const [n, k] = x.shape;
  const m = w.shape[1];
  if (x.shape.length !== 2 || w.shape.length !== 2 || w.shape[0] !== k || b.shape.length !== 1 || b.shape[0] !== m || [x, w, b].some((t) => t.dtype !== 'float32')) {
    throw new Error(`${DENSE_KERNEL}: cannot apply w [${w.shape}], b [${b.shape}] to x [${x.shape}] (float32 only)`);
  }
  const out = backend.makeOutput([n, m], 'float32');
  if (n * m === 0) return out;
  const at = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
  if (k === 0) throw new Error(`${DENSE_KERNEL}: empty inner dimension`);
  blas.dense(backend.wasm.HEAPU8.buffer as ArrayBuffer, at(x), at(w), at(b), at(out), n, k, m, attrs.relu);
  return out;
}

/**
 * Name of the fused Adam step on the native path, for all of an optimizer's variables at once:
 * inputs p0, g0, m0, v0, p1, ... ; attrs `count` and `h` = [β1, 1−β1, β2, 1−β2, step size,
 * 1/√(1−β2^t), ε]; outputs p0', m0', v0', p1', ... One kernel per step instead of thirteen per
 * variable, bit-identical to src/optim/adam.ts's tf ops.
 */
export const ADAM_KERNEL = 'ImitateAdamStep';

/**
 * Name of the fused Polyak averaging on the native path: inputs t0, s0, t1, s1, ...; attrs
 * `count`, `keep`, `mix`; outputs keep·t_i + mix·s_i. Bit-identical to src/nn/polyak.ts's tf ops.
 */
export const POLYAK_KERNEL = 'ImitatePolyak';

interface MultiKernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  backend: WasmBackendLike;
  attrs: { count: number; h?: number[]; keep?: number; mix?: number };
}

/** Fresh outputs shaped like `like`, and the byte offsets of inputs then outputs, `per` inputs per item. */
function multiOffsets(backend: WasmBackendLike, inputs: Record<string, tf.TensorInfo>, names: string[], count: number, outsPerItem: number, kernel: string) {
  const per = names.length;
  const offsets = new Float64Array(count * (per + outsPerItem));
  const sizes = new Float64Array(count);
  const outs: tf.TensorInfo[] = [];
  const at = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
  for (let i = 0; i < count; i++) {
    const items = names.map((n) => inputs[`${n}${i}`]);
    const shape = items[0].shape;
    for (const t of items) {
      if (t === undefined || t.dtype !== 'float32' || !sameShape(t.shape, shape)) throw new Error(`${kernel}: item ${i} needs float32 ${names.join(', ')} of one shape`);
    }
    sizes[i] = shape.reduce((a, b) => a * b, 1);
    for (let k = 0; k < outsPerItem; k++) outs.push(backend.makeOutput([...shape], 'float32'));
  }
  // Offsets are read after every output exists: makeOutput may grow (and move) the heap's buffer.
  for (let i = 0; i < count; i++) {
    const base = i * (per + outsPerItem);
    names.forEach((n, k) => (offsets[base + k] = at(inputs[`${n}${i}`])));
    for (let k = 0; k < outsPerItem; k++) offsets[base + per + k] = at(outs[i * outsPerItem + k]);
  }
  return { offsets, sizes, outs };
}

function adamKernel(blas: BlasAddon, { inputs, backend, attrs }: MultiKernelArgs): tf.TensorInfo[] {
  const { offsets, sizes, outs } = multiOffsets(backend, inputs, ['p', 'g', 'm', 'v'], attrs.count, 3, ADAM_KERNEL);
  blas.adam(backend.wasm.HEAPU8.buffer as ArrayBuffer, offsets, sizes, Float64Array.from(attrs.h!));
  return outs;
}

function polyakKernel(blas: BlasAddon, { inputs, backend, attrs }: MultiKernelArgs): tf.TensorInfo[] {
  const { offsets, sizes, outs } = multiOffsets(backend, inputs, ['t', 's'], attrs.count, 1, POLYAK_KERNEL);
  blas.polyak(backend.wasm.HEAPU8.buffer as ArrayBuffer, offsets, sizes, attrs.keep!, attrs.mix!);
  return outs;
}

/**
 * One observation through an MLP (weights [in,out] and biases alternating in `params`, ReLU
 * between layers when `relu`), straight from the wasm heap: no tensor, kernel or read-back, a few
 * microseconds for a 256×256 actor. Null when the native path is not active; callers then use tf
 * ops.
 */
export function nativeForward(params: readonly tf.Tensor[], relu: boolean, input: Float32Array): Float32Array | null {
  if (addon === null || !nativeBlasActive()) return null;
  const backend = tf.backend() as unknown as WasmBackendLike;
  const layers = params.length / 2;
  const dims = new Int32Array(layers + 1);
  const offsets = new Float64Array(params.length);
  for (let l = 0; l < layers; l++) {
    const w = params[2 * l];
    const b = params[2 * l + 1];
    if (w.dtype !== 'float32' || w.rank !== 2 || b.rank !== 1 || b.shape[0] !== w.shape[1] || (l > 0 && w.shape[0] !== dims[l])) return null;
    dims[l] = w.shape[0];
    dims[l + 1] = w.shape[1];
    offsets[2 * l] = backend.dataIdMap.get(w.dataId).memoryOffset;
    offsets[2 * l + 1] = backend.dataIdMap.get(b.dataId).memoryOffset;
  }
  if (input.length !== dims[0]) throw new Error(`nativeForward: input has ${input.length} values, the network takes ${dims[0]}`);
  const output = new Float32Array(dims[layers]);
  addon.forward(backend.wasm.HEAPU8.buffer as ArrayBuffer, offsets, dims, relu, input, output);
  return output;
}

/** The sgemm call for a tfjs BatchMatMul, or null where the stock kernel should run (non-float32, empty, uneven broadcast). */
export function planMatMul(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): { outShape: number[]; batch: number; m: number; n: number; k: number; strideA: number; strideB: number } | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) throw new Error(`matMul: inner dimensions ${k} and ${kb} of shapes [${a.shape}] and [${b.shape}] (transposeA=${transposeA}, transposeB=${transposeB}) do not match`);
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = outerA.reduce((x, y) => x * y, 1);
  const batchB = outerB.reduce((x, y) => x * y, 1);
  if (m === 0 || n === 0 || k === 0 || batchA === 0 || batchB === 0) return null;
  let outer: number[];
  if (batchA === batchB && sameShape(outerA, outerB)) outer = outerA;
  else if (batchB === 1 && outerB.length <= outerA.length) outer = outerA;
  else if (batchA === 1 && outerA.length <= outerB.length) outer = outerB;
  else return null;
  return {
    outShape: [...outer, m, n],
    batch: Math.max(batchA, batchB),
    m,
    n,
    k,
    strideA: batchA === 1 ? 0 : m * k,
    strideB: batchB === 1 ? 0 : k * n,
  };
}

function sameShape(x: number[], y: number[]): boolean {
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
