/**
 * FISMO's (and Muon's) update on the native path: the marshalling of src/optim/fismo.ts's state
 * into one `fismoStep` call of the addon (native/fismo_step.c). For every matrix block it does
 * what Fismo.matrixStep does with tf ops — the Gauss–Seidel factor updates, the inverse roots where
 * due (Float64 eigendecomposition by LAPACK), the whitened momentum, Newton–Schulz and the mapped
 * back step — and for every vector or scalar the AdamW step of src/optim/adamw-slot.ts, all in
 * place, in one call.
 *
 * The products are arranged to share work: G·Q⁻¹·Gᵀ is formed as A·Aᵀ with A = G·Q^{-1/2}, and
 * Gᵀ·P⁻¹·G as Bᵀ·B with B = P^{-1/2}·G, B being half of the whitening P^{-1/2}·G·Q^{-1/2}. That is
 * the same arithmetic up to float32 rounding (F⁻¹ and F^{-1/2} come from the same eigenpairs).
 */
import type * as tf from '@tensorflow/tfjs';
import { heapOffset, ownedOffset, wasmHeap, type FusedSteps } from '../native-optim.js';
import { NS_COEFFICIENTS } from './linalg.js';

/** A Fisher factor side as Fismo keeps it. */
export interface FismoSideState {
  factor: tf.Variable;
  vectors: tf.Variable;
  inv: tf.Variable;
  invSqrt: tf.Variable;
}

/** One parameter's share of the step. */
export type FismoNativeItem =
  | { kind: 'adamw'; variable: tf.Variable; gradient: tf.Tensor; t: number; m: tf.Variable; v: tf.Variable }
  | {
      kind: 'matrix';
      variable: tf.Variable;
      gradient: tf.Tensor;
      rows: number;
      cols: number;
      blocks: { m: tf.Variable; left: FismoSideState | null; right: FismoSideState | null }[];
      /** Whether the inverse roots are recomputed in this update. */
      due: boolean;
      /** lr times the step scale. */
      step: number;
    };

/** The step's scalars. */
export interface FismoNativeHyper {
  lr: number;
  momentum: number;
  factorBeta: number;
  damping: number;
  nesterov: boolean;
  weightDecay: number;
  nsSteps: number;
  adamLr: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
  adamWeightDecay: number;
}

const FIELDS = 16;

/** Runs one FISMO/Muon update of every item in one addon call. */
export function fismoStepNative(addon: FusedSteps, items: FismoNativeItem[], h: FismoNativeHyper): void {
  // Every write target first gets memory of its own (this may allocate); offsets are read after.
  for (const item of items) {
    ownedOffset(item.variable);
    if (item.kind === 'adamw') {
      ownedOffset(item.m);
      ownedOffset(item.v);
      continue;
    }
    for (const b of item.blocks) {
      ownedOffset(b.m);
      for (const s of [b.left, b.right]) if (s !== null) for (const v of [s.factor, s.vectors, s.inv, s.invSqrt]) ownedOffset(v);
    }
  }
  const count = items.reduce((n, item) => n + (item.kind === 'adamw' ? 1 : item.blocks.length), 0);
  const fields = new Float64Array(count * FIELDS).fill(-1);
  let at = 0;
  for (const item of items) {
    const w = heapOffset(item.variable);
    const g = heapOffset(item.gradient);
    if (item.kind === 'adamw') {
      fields.set([2, item.variable.size, item.t, 0, 0, w, g, heapOffset(item.m), heapOffset(item.v)], at);
      at += FIELDS;
      continue;
    }
    const bytes = 4 * item.rows * item.cols;
    item.blocks.forEach((b, k) => {
      const side = (s: FismoSideState | null) => (s === null ? [-1, -1, -1, -1] : [s.factor, s.vectors, s.inv, s.invSqrt].map(heapOffset));
      fields.set([1, item.rows, item.cols, item.due ? 1 : 0, item.step, w + k * bytes, g + k * bytes, heapOffset(b.m), ...side(b.left), ...side(b.right)], at);
      at += FIELDS;
    });
  }
  const [a, b, c] = NS_COEFFICIENTS;
  const hyper = Float64Array.from([
    h.momentum, h.factorBeta, h.damping, h.nesterov ? 1 : 0, 1 - h.lr * h.weightDecay, h.weightDecay > 0 ? 1 : 0, h.nsSteps, a, b, c,
    h.adamLr, h.adamBeta1, h.adamBeta2, h.adamEpsilon, h.adamWeightDecay,
  ]);
  addon.fismoStep(wasmHeap(), fields, hyper);
}
