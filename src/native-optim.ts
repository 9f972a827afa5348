/**
 * The fused optimizer steps of the native path: one addon call runs a whole SOAP or FISMO/Muon
 * step for every parameter of an optimizer (native/soap_step.c, native/fismo_step.c), in place on the
 * wasm heap.
 *
 * On the native path a SAC update costs mostly kernel dispatch: hundreds of small wasm kernels,
 * not matmul time. The tf-ops steps of src/optim/soap.ts and src/optim/fismo.ts add dozens of
 * kernels per parameter; here they collapse into one call, the products going to CBLAS. This
 * module only marshals: it hands over the byte offsets of the variables and gradients and the
 * hyperparameters; the optimizers decide what is due (refreshes, step counts) and keep the tf-ops
 * path as the fallback where the addon is absent, disabled, or built before these steps existed.
 *
 * Writing in place is safe only into memory that no other tensor shares: a variable made from
 * another tensor, a reshape of it, or a clone (src/wasm-kernels.ts makes Identity share data, and
 * the gradient tape clones what it saves) shares its data id. {@link ownedOffset} first gives such
 * a variable a private copy.
 */
import * as tf from '@tensorflow/tfjs';
import { activeBlasAddon, nativeBlasInfo, type BlasAddon } from './native-blas.js';

/** What the wasm backend object exposes that the calls need (not in tfjs's public types). */
interface WasmBackendLike {
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  refCount(dataId: object): number;
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  wasm: { HEAPU8: Uint8Array };
}

/** Benchmarks and tests switch the fused steps off to time or compare the tf-ops path on native BLAS. */
let fusedSteps = true;

/** Turns the fused optimizer steps off (`false`: the tf-ops steps run, on native BLAS) or on again. */
export function setFusedOptimizerSteps(on: boolean): void {
  fusedSteps = on;
}

/**
 * SOAP's preconditioner upkeep (factor EMAs, basis refreshes) runs on a thread beside the rest of
 * the update, unless `IMITATE_OPTIM_BACKGROUND=0`, or unset while OpenBLAS has more than one thread
 * (its spinning workers and ours would fight over the cores); the results are the same bit for bit.
 */
let upkeepInBackground: boolean | null = process.env.IMITATE_OPTIM_BACKGROUND === undefined ? null : process.env.IMITATE_OPTIM_BACKGROUND !== '0';

/** Runs SOAP's upkeep in the background (`true`) or inline (`false`), or as the environment says (`null`); for tests and benchmarks. */
export function setUpkeepInBackground(on: boolean | null): void {
  upkeepInBackground = on;
}

/** Whether SOAP's upkeep runs in the background. */
export function upkeepRunsInBackground(): boolean {
  return upkeepInBackground ?? (nativeBlasInfo().threads ?? 1) === 1;
}

/** The addon's fused optimizer steps. */
export type FusedSteps = Required<Pick<BlasAddon, 'soapStep' | 'soapSettle' | 'fismoStep'>>;

/** The addon's fused steps, when they can run now: the native path is active and the addon has them. */
export function fusedOptimizerSteps(): FusedSteps | null {
  if (!fusedSteps) return null;
  const addon = activeBlasAddon();
  if (addon === null || typeof addon.soapStep !== 'function' || typeof addon.soapSettle !== 'function' || typeof addon.fismoStep !== 'function') return null;
  return addon as FusedSteps;
}

function wasmBackend(): WasmBackendLike {
  return tf.backend() as unknown as WasmBackendLike;
}

/** Byte offset of `t`'s data in the wasm heap (read-only use). */
export function heapOffset(t: tf.Tensor): number {
  const entry = wasmBackend().dataIdMap.get(t.dataId);
  if (entry === undefined || t.dtype !== 'float32') throw new Error(`native optimizer step: tensor [${t.shape}] (${t.dtype}) is not a float32 tensor of the wasm backend`);
  return entry.memoryOffset;
}

/**
 * Byte offset of `v`'s data for writing in place: when another tensor shares that data, `v` first
 * takes a private copy. Allocates, so take the heap's buffer ({@link wasmHeap}) after every call.
 */
export function ownedOffset(v: tf.Variable): number {
  const backend = wasmBackend();
  if (backend.refCount(v.dataId) > 1) {
    // Not tf.clone: Identity shares the data here. A byte copy inside the heap, exact.
    const info = backend.makeOutput([...v.shape], 'float32');
    const from = heapOffset(v);
    const to = backend.dataIdMap.get(info.dataId)!.memoryOffset;
    backend.wasm.HEAPU8.copyWithin(to, from, from + 4 * v.size);
    const copy = tf.engine().makeTensorFromTensorInfo(info);
    v.assign(copy);
    copy.dispose();
  }
  return heapOffset(v);
}

/** The wasm heap's current buffer (allocation may replace it: take it last). */
export function wasmHeap(): ArrayBuffer {
  return wasmBackend().wasm.HEAPU8.buffer as ArrayBuffer;
}
