/**
 * SOAP's update on the native path: the marshalling of src/optim/soap.ts's state into one
 * `soapStep` call of the addon (native/imitate_optim.c), which does what Soap.update and refresh do
 * with tf ops — rotation, Adam in the eigenbasis, rotation back, weight decay, the factor EMAs and,
 * where due, the power-iteration + QR refresh (QR in Float64 by LAPACK) — for every parameter at
 * once, in place. The warm-up step (eigh of the first factors) stays on the tf path: it runs once.
 */
import type * as tf from '@tensorflow/tfjs';
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

/** Runs one SOAP update of every item in one addon call. */
export function soapStepNative(addon: FusedSteps, items: SoapNativeItem[], h: SoapNativeHyper): void {
  // Every write target first gets memory of its own (this may allocate); offsets are read after.
  for (const item of items) {
    ownedOffset(item.variable);
    for (const b of item.blocks) {
      for (const v of [b.m, b.v]) ownedOffset(v);
      for (const s of [b.left, b.right]) if (s !== null) for (const v of [s.factor, s.q, s.qt]) ownedOffset(v);
    }
  }
  const blockCount = items.reduce((n, item) => n + item.blocks.length, 0);
  const fields = new Float64Array(blockCount * FIELDS);
  let at = 0;
  for (const item of items) {
    const bytes = 4 * item.rows * item.cols;
    const w = heapOffset(item.variable);
    const g = heapOffset(item.gradient);
    item.blocks.forEach((b, k) => {
      const side = (s: SoapSideState | null) => (s === null ? [-1, -1, -1] : [heapOffset(s.factor), heapOffset(s.q), heapOffset(s.qt)]);
      fields.set([item.rows, item.cols, item.refresh ? 1 : 0, item.alpha, w + k * bytes, g + k * bytes, heapOffset(b.m), heapOffset(b.v), ...side(b.left), ...side(b.right)], at);
      at += FIELDS;
    });
  }
  const hyper = Float64Array.from([h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.eps, h.weightDecay > 0 ? h.lr * h.weightDecay : 0, h.betaShampoo, 1 - h.betaShampoo, h.normalizeGrads ? 1 : 0]);
  addon.soapStep(wasmHeap(), fields, hyper);
}
