/**
 * SOAP's update on the native path: the marshalling of src/optim/soap.ts's state into one
 * `soapStep` call of the addon (native/soap_step.c), which does what Soap.update and refresh do
 * with tf ops — rotation, Adam in the eigenbasis, rotation back, weight decay, the factor EMAs and,
 * where due, the power-iteration + QR refresh (QR in Float64 by LAPACK) — for every parameter at
 * once, in place. The warm-up step (eigh of the first factors) stays on the tf path: it runs once.
 *
 * The upkeep (factor EMAs and refreshes) is not needed before the next step, so with a job it runs
 * on a thread of its own beside the rest of the SAC update (the actor's forward and backward pass
 * after the critics' step, say). The job keeps the factors between steps; {@link soapSettleNative}
 * writes them back to the state variables, which must happen before anyone reads or replaces them.
 */
import type * as tf from '@tensorflow/tfjs';
import type { SoapJob } from '../native-blas.js';
import { heapOffset, ownedOffset, wasmHeap, type FusedSteps } from '../native-optim.js';
import type { BlockLayout } from './blocks.js';

/** A preconditioned side as Soap keeps it. */
export interface SoapSideState {
  factor: tf.Variable;
  q: tf.Variable;
  qt: tf.Variable;
}

/** One block's state as Soap keeps it. */
export interface SoapBlockState {
  m: tf.Variable;
  v: tf.Variable;
  left: SoapSideState | null;
  right: SoapSideState | null;
}

/** One parameter's share of the step: its blocks of `rows × cols`, step size α and whether its bases are refreshed after it. */
export interface SoapNativeItem {
  variable: tf.Variable;
  gradient: tf.Tensor;
  layout: BlockLayout;
  rows: number;
  cols: number;
  blocks: SoapBlockState[];
  alpha: number;
  refresh: boolean;
}

/** The step's scalars: [β1, 1−β1, β2, 1−β2, ε, lr·λ, β_s, 1−β_s, normalizeGrads]. */
export interface SoapNativeHyper {
  beta1: number;
  beta2: number;
  eps: number;
  lr: number;
  weightDecay: number;
  betaShampoo: number;
  normalizeGrads: boolean;
}

const FIELDS = 14;

/** Gives every state variable of `blocks` memory of its own (this may allocate: read offsets after). */
function ownState(blocks: SoapBlockState[]): void {
  for (const b of blocks) {
    for (const v of [b.m, b.v]) ownedOffset(v);
    for (const s of [b.left, b.right]) if (s !== null) for (const v of [s.factor, s.q, s.qt]) ownedOffset(v);
  }
}

/** A block's fields: rows, cols, refresh, α, W, G, M, V, L, QL, QLᵀ, R, QR, QRᵀ (−1: absent). */
function blockFields(b: SoapBlockState, rows: number, cols: number, refresh: boolean, alpha: number, w: number, g: number): number[] {
  const side = (s: SoapSideState | null) => (s === null ? [-1, -1, -1] : [heapOffset(s.factor), heapOffset(s.q), heapOffset(s.qt)]);
  return [rows, cols, refresh ? 1 : 0, alpha, w, g, heapOffset(b.m), heapOffset(b.v), ...side(b.left), ...side(b.right)];
}

/**
 * Runs one SOAP update of every item in one addon call. `job` undefined: the upkeep runs inline.
 * Otherwise null (start one) or the job the previous call returned for the same blocks in the
 * same order: the returned job is the one to pass next.
 */
export function soapStepNative(addon: FusedSteps, items: SoapNativeItem[], h: SoapNativeHyper, job?: SoapJob | null): SoapJob | undefined {
  // Every write target first gets memory of its own (this may allocate); offsets are read after.
  for (const item of items) {
    ownedOffset(item.variable);
    ownState(item.blocks);
  }
  const blockCount = items.reduce((n, item) => n + item.blocks.length, 0);
  const fields = new Float64Array(blockCount * FIELDS);
  let at = 0;
  for (const item of items) {
    const bytes = 4 * item.rows * item.cols;
    const w = heapOffset(item.variable);
    const g = heapOffset(item.gradient);
    item.blocks.forEach((b, k) => {
      fields.set(blockFields(b, item.rows, item.cols, item.refresh, item.alpha, w + k * bytes, g + k * bytes), at);
      at += FIELDS;
    });
  }
  const hyper = Float64Array.from([h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.eps, h.weightDecay > 0 ? h.lr * h.weightDecay : 0, h.betaShampoo, 1 - h.betaShampoo, h.normalizeGrads ? 1 : 0]);
  return addon.soapStep(wasmHeap(), fields, hyper, job);
}

/** Joins `job` and writes the state it holds (factors, bases, a finished refresh's M and V) into `blocks`, the blocks it was made for. */
export function soapSettleNative(addon: FusedSteps, blocks: SoapBlockState[], job: SoapJob): void {
  ownState(blocks);
  const fields = new Float64Array(blocks.length * FIELDS);
  blocks.forEach((b, k) => {
    const [rows, cols] = b.m.shape;
    fields.set(blockFields(b, rows, cols, false, 0, -1, -1), k * FIELDS);
  });
  addon.soapSettle(wasmHeap(), fields, new Float64Array(0), job);
}
