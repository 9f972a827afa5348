/**
 * FISMO (Xu, Yan & Zhang 2026, "Fisher-Structured Momentum-Orthogonalized optimizer") and Muon
 * (Jordan et al. 2024), its special case with identity Fisher factors. Per spec/optimizers.md §C1,
 * for each matrix block W (rows r, cols c), with Kronecker Fisher factors P (r×r) and Q (c×c):
 *
 *   P ← sym(r·P̃ / tr P̃),  P̃ = γ·P + (1−γ)·(G Q⁻¹ Gᵀ / c + μ·(tr P / r)·I)   (old Q: Gauss–Seidel)
 *   Q ← sym(c·Q̃ / tr Q̃),  Q̃ = γ·Q + (1−γ)·(Gᵀ P⁻¹ G / r + μ·(tr Q / c)·I)   (new P)
 *   M ← β·M + (1−β)·P^{-1/2} G Q^{-1/2}          (momentum of the whitened gradient)
 *   W ← W·(1 − lr·λ) − lr·s·P^{-1/2}·NS₅(M)·Q^{-1/2}
 *
 * NS₅ is Muon's quintic Newton–Schulz (src/optim/linalg.ts). P⁻¹ and P^{-1/2} come from a Float64
 * Jacobi eigendecomposition of P in its previous eigenbasis (eigenvalues floored at 1e-12·r); `rootInterval` > 1 recomputes them only every that many updates (not in the paper:
 * an amortisation) and uses the cached ones in between. Port decisions (the paper gives none):
 * P₀ = I, Q₀ = I; optional Nesterov momentum; the step scale s is 1 ('none'), Muon's
 * √max(1, fanOut/fanIn) ('muon'), or Moonshot's 0.2·√max(r, c) that matches AdamW's update RMS
 * ('rms'). Parameters are stored [fanIn, fanOut] (TF.js dense kernels), so fan-out is the last
 * dimension; P is the factor of the rows.
 *
 * With `factors: false` both factors stay the identity and this is Muon; the registry's 'muon'
 * entry is that with Muon's defaults (Nesterov, 'muon' scale). Parameters of rank < 2 (biases,
 * scalars) go to AdamW (src/optim/adamw-slot.ts); rank ≥ 3 are batches of matrices; a side longer
 * than `maxPrecondDim` keeps an identity factor (one-sided).
 *
 * On the native path (src/native-blas.ts active) a whole step, AdamW parameters included, is one
 * fused addon call (src/optim/fismo-native.ts): the same arithmetic with CBLAS products and a
 * Float64 LAPACK eigendecomposition for the inverse roots, in place on the same state tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedTensor } from './adam.js';
import { adamWStep, newAdamWSlot, type AdamWSlot } from './adamw-slot.js';
import { blockLayout, fromBlocks, toBlocks, type BlockLayout } from './blocks.js';
import { joinCount, splitCount } from './counter.js';
import { OwnedStateOptimizer } from './owned-state-optimizer.js';
import { gradientEntries, registeredVariable, stateVariable } from './gradients.js';
import { newtonSchulz, symmetricEigen } from './linalg.js';
import { fusedOptimizerSteps } from '../native-optim.js';
import { fismoStepNative, type FismoNativeItem } from './fismo-native.js';

export type StepScale = 'none' | 'muon' | 'rms';

export interface FismoOptions {
  lr: number;
  /** β: momentum of the whitened gradient. */
  momentum: number;
  /** γ: EMA decay of the Fisher factors. */
  factorBeta: number;
  /** μ: damping added to each factor's statistics, relative to its mean eigenvalue. */
  damping: number;
  nsSteps: number;
  weightDecay: number;
  nesterov: boolean;
  scale: StepScale;
  /** Recompute the inverse roots every this many updates (1: every update, as the paper). */
  rootInterval: number;
  maxPrecondDim: number;
  /** false: identity factors, i.e. Muon. */
  factors: boolean;
  adamLr: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
  adamWeightDecay: number;
}

/** A side's Fisher factor, its eigenbasis (warm start of the next eigh) and its inverse roots. */
interface Side {
  factor: tf.Variable;
  vectors: tf.Variable;
  inv: tf.Variable;
  invSqrt: tf.Variable;
  /** Identity of the side's size, for traces; derived, not saved. */
  eye: tf.Tensor2D;
}

interface Block {
  m: tf.Variable;
  left: Side | null;
  right: Side | null;
}

type Slot = { kind: 'matrix'; t: number; blocks: Block[] } | { kind: 'adamw'; t: number; adam: AdamWSlot };

export class Fismo extends OwnedStateOptimizer<FismoOptions> {
  static get className(): string {
    return 'ImitateFismo';
  }

  private calls = 0;
  private slots: (Slot | undefined)[] = [];
  private headTensors: tf.Variable[] = [];

  constructor(options: FismoOptions) {
    if (options.factors && options.factorBeta === 0 && options.damping === 0) {
      throw new RangeError('fismo: factorBeta 0 with damping 0 makes the trace normalisation 0/0 on a zero gradient; give one of them > 0');
    }
    super(options);
  }

  private get name(): string {
    return this.options.factors ? 'fismo' : 'muon';
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = gradientEntries(variableGradients);
    this.calls += 1;
    // The native path: every parameter's step in one addon call (src/optim/fismo-native.ts).
    const fused = fusedOptimizerSteps();
    const native: FismoNativeItem[] = [];
    const zeros: tf.Tensor[] = [];
    entries.forEach(([name, gradient], i) => {
      const variable = registeredVariable(name, this.name);
      let slot = this.slots[i];
      if (slot === undefined) {
        slot = this.newSlot(variable.shape);
        this.slots[i] = slot;
      } else {
        this.checkSlot(slot, variable.shape, i, name);
      }
      // A missing gradient is a zero one (Muon's rule): momentum decays, the step still happens.
      const g = gradient ?? tf.zerosLike(variable);
      slot.t += 1;
      if (fused !== null) {
        native.push(this.nativeItem(slot, variable, g));
        if (gradient == null) zeros.push(g);
        return;
      }
      if (slot.kind === 'adamw') adamWStep(slot.adam, variable, g, slot.t, this.adamOptions());
      else this.matrixStep(slot, variable, g);
      if (gradient == null) g.dispose();
    });
    if (native.length > 0) fismoStepNative(fused!, native, this.options);
    tf.dispose(zeros);
    this.incrementIterations();
  }

  private adamOptions() {
    const o = this.options;
    return { lr: o.adamLr, beta1: o.adamBeta1, beta2: o.adamBeta2, epsilon: o.adamEpsilon, weightDecay: o.adamWeightDecay };
  }

  private newSlot(shape: readonly number[]): Slot {
    if (shape.length < 2) return { kind: 'adamw', t: 0, adam: newAdamWSlot(shape) };
    const layout = blockLayout(shape);
    return { kind: 'matrix', t: 0, blocks: Array.from({ length: layout.count }, () => this.newBlock(layout)) };
  }

  private preconditioned(d: number): boolean {
    return this.options.factors && d > 1 && d <= this.options.maxPrecondDim;
  }

  private newBlock(layout: BlockLayout): Block {
    const side = (d: number): Side | null =>
      this.preconditioned(d)
        ? { factor: stateVariable(tf.eye(d)), vectors: stateVariable(tf.eye(d)), inv: stateVariable(tf.eye(d)), invSqrt: stateVariable(tf.eye(d)), eye: tf.keep(tf.eye(d)) as tf.Tensor2D }
        : null;
    return { m: stateVariable(tf.zeros([layout.rows, layout.cols])), left: side(layout.rows), right: side(layout.cols) };
  }

  private checkSlot(slot: Slot, shape: readonly number[], i: number, name: string): void {
    const fresh = shape.length < 2 ? 'adamw' : 'matrix';
    let ok = slot.kind === fresh;
    if (ok && slot.kind === 'matrix') {
      const layout = blockLayout(shape);
      const b = slot.blocks[0];
      ok =
        slot.blocks.length === layout.count &&
        tf.util.arraysEqual(b.m.shape, [layout.rows, layout.cols]) &&
        (b.left !== null) === this.preconditioned(layout.rows) &&
        (b.right !== null) === this.preconditioned(layout.cols);
    } else if (ok && slot.kind === 'adamw') {
      ok = tf.util.arraysEqual(slot.adam.m.shape, shape as number[]);
    }
    if (!ok) throw new Error(`${this.name}: state slot ${i} does not fit variable '${name}' of shape [${shape}] (variables passed in another order, or other options than when the state was made?)`);
  }

  /** Roots are due on updates 1, 1 + k, 1 + 2k, ...: the first update always has fresh ones. */
  private rootsDue(t: number): boolean {
    return (t - 1) % this.options.rootInterval === 0;
  }

  /** lr·s for a block of `rows × cols`, s being the step scale (see the file's comment). */
  private stepSize(rows: number, cols: number): number {
    const o = this.options;
    const scale = o.scale === 'muon' ? Math.sqrt(Math.max(1, cols / rows)) : o.scale === 'rms' ? 0.2 * Math.sqrt(Math.max(rows, cols)) : 1;
    return o.lr * scale;
  }

  /** This update of `slot` (t already counted) for the native path. */
  private nativeItem(slot: Slot, variable: tf.Variable, gradient: tf.Tensor): FismoNativeItem {
    if (slot.kind === 'adamw') return { kind: 'adamw', variable, gradient, t: slot.t, m: slot.adam.m, v: slot.adam.v };
    const { rows, cols } = blockLayout(variable.shape);
    return { kind: 'matrix', variable, gradient, rows, cols, blocks: slot.blocks, due: this.rootsDue(slot.t), step: this.stepSize(rows, cols) };
  }

  private matrixStep(slot: Slot & { kind: 'matrix' }, variable: tf.Variable, gradient: tf.Tensor): void {
    const o = this.options;
    const layout = blockLayout(variable.shape);
    const { rows, cols } = layout;
    const due = this.rootsDue(slot.t);
    const grads = tf.tidy(() => toBlocks(gradient, layout));
    for (let k = 0; k < grads.length; k++) {
      const b = slot.blocks[k];
      const g = grads[k];
      if (b.left !== null) {
        const left = b.left;
        tf.tidy(() => {
          const gq = b.right !== null ? tf.matMul(g, b.right.inv) : g;
          updateFactor(left, tf.matMul(gq, tf.transpose(g)), cols, rows, o);
        });
        if (due) refreshRoots(left);
      }
      if (b.right !== null) {
        const right = b.right;
        tf.tidy(() => {
          const gt = tf.transpose(g);
          const pg = b.left !== null ? tf.matMul(b.left.inv, g) : g;
          updateFactor(right, tf.matMul(gt, pg), rows, cols, o);
        });
        if (due) refreshRoots(right);
      }
    }
    const step = this.stepSize(rows, cols);
    tf.tidy(() => {
      const steps = slot.blocks.map((b, k) => {
        const whitened = whiten(grads[k], b);
        const m = tf.add(tf.mul(o.momentum, b.m), tf.mul(1 - o.momentum, whitened)) as tf.Tensor2D;
        b.m.assign(m);
        const input = o.nesterov ? (tf.add(tf.mul(1 - o.momentum, whitened), tf.mul(o.momentum, m)) as tf.Tensor2D) : m;
        return whiten(newtonSchulz(input, o.nsSteps), b);
      });
      const decayed = o.weightDecay > 0 ? tf.mul(variable, 1 - o.lr * o.weightDecay) : variable;
      variable.assign(tf.sub(decayed, tf.mul(step, fromBlocks(steps, variable.shape))));
    });
    tf.dispose(grads);
  }

  /**
   * [step, then per parameter i: `i/head` = (kind: 1 matrix, 2 AdamW; t as two float32 halves);
   * AdamW: `i/m`, `i/v`; matrix block k: `i/k/M` and per side (P rows, Q columns) the factor,
   * its eigenvectors and inverse roots: `i/k/P`, `i/k/PE`, `i/k/PI`, `i/k/PS` (and Q…)]. The
   * tensors are owned by the optimizer (do not dispose).
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [{ name: 'step', tensor: this.stepCountTensor(this.calls) }];
    this.slots.forEach((slot, i) => {
      if (slot === undefined) return;
      const head = tf.tensor1d([slot.kind === 'matrix' ? 1 : 2, ...splitCount(slot.t)], 'float32');
      if (this.headTensors[i] === undefined) this.headTensors[i] = tf.variable(head, false);
      else this.headTensors[i].assign(head);
      head.dispose();
      out.push({ name: `${i}/head`, tensor: this.headTensors[i] });
      if (slot.kind === 'adamw') {
        out.push({ name: `${i}/m`, tensor: slot.adam.m }, { name: `${i}/v`, tensor: slot.adam.v });
        return;
      }
      slot.blocks.forEach((b, k) => {
        out.push({ name: `${i}/${k}/M`, tensor: b.m });
        for (const [letter, s] of [['P', b.left], ['Q', b.right]] as const) {
          if (s === null) continue;
          out.push(
            { name: `${i}/${k}/${letter}`, tensor: s.factor },
            { name: `${i}/${k}/${letter}E`, tensor: s.vectors },
            { name: `${i}/${k}/${letter}I`, tensor: s.inv },
            { name: `${i}/${k}/${letter}S`, tensor: s.invSqrt },
          );
        }
      });
    });
    return out;
  }

  /** Restores what {@link Fismo.getWeights} returned (copies the values). */
  override async setWeights(weights: NamedTensor[]): Promise<void> {
    const who = `${this.name} state`;
    const byName = new Map(weights.map((w) => [w.name, w.tensor]));
    const stepEntry = byName.get('step');
    if (stepEntry === undefined) throw new Error(`${who}: tensor 'step' is missing`);
    const [hi, lo] = Array.from(await stepEntry.data());
    const calls = joinCount(hi, lo, `${who}: step`);
    const slots: (Slot | undefined)[] = [];
    const copy = (t: tf.Tensor) => stateVariable(t.clone());
    try {
      for (const w of weights) {
        const match = /^(\d+)\/head$/.exec(w.name);
        if (match === null) continue;
        const i = Number(match[1]);
        const [kind, thi, tlo] = Array.from(await w.tensor.data());
        const t = joinCount(thi, tlo, `${who}: parameter ${i} t`);
        if (kind === 2) {
          const m = byName.get(`${i}/m`);
          const v = byName.get(`${i}/v`);
          if (m === undefined || v === undefined) throw new Error(`${who}: parameter ${i} is missing its AdamW moments`);
          slots[i] = { kind: 'adamw', t, adam: { m: copy(m), v: copy(v) } };
          continue;
        }
        const blocks: Block[] = [];
        slots[i] = { kind: 'matrix', t, blocks };
        for (let k = 0; byName.has(`${i}/${k}/M`); k++) {
          const side = (letter: string): Side | null => {
            const parts = ['', 'E', 'I', 'S'].map((s) => byName.get(`${i}/${k}/${letter}${s}`));
            if (parts.every((p) => p === undefined)) return null;
            if (parts.some((p) => p === undefined)) throw new Error(`${who}: parameter ${i} block ${k} factor ${letter} is incomplete`);
            const [factor, vectors, inv, invSqrt] = parts as tf.Tensor[];
            return { factor: copy(factor), vectors: copy(vectors), inv: copy(inv), invSqrt: copy(invSqrt), eye: tf.keep(tf.eye(factor.shape[0])) as tf.Tensor2D };
          };
          blocks.push({ m: copy(byName.get(`${i}/${k}/M`)!), left: side('P'), right: side('Q') });
        }
        if (blocks.length === 0) throw new Error(`${who}: parameter ${i} has a head but no blocks`);
      }
    } catch (e) {
      slots.forEach(disposeSlot);
      throw e;
    }
    this.disposeSlots();
    this.slots = slots;
    this.calls = calls;
    this.iterations_ = calls;
  }

  protected override disposeSlots(): void {
    this.slots.forEach(disposeSlot);
    this.slots = [];
    this.headTensors.forEach((h) => h.dispose());
    this.headTensors = [];
  }
}

function disposeSlot(slot: Slot | undefined): void {
  if (slot === undefined) return;
  if (slot.kind === 'adamw') {
    tf.dispose([slot.adam.m, slot.adam.v]);
    return;
  }
  for (const b of slot.blocks) {
    b.m.dispose();
    for (const s of [b.left, b.right]) if (s !== null) tf.dispose([s.factor, s.vectors, s.inv, s.invSqrt, s.eye]);
  }
}

/**
 * factor ← sym(d·F̃ / tr F̃), F̃ = γ·F + (1−γ)·(stat / other + μ·(tr F / d)·I), where d is the
 * factor's size and `other` the block's other dimension. Call inside tf.tidy.
 */
function updateFactor(side: Side, stat: tf.Tensor, other: number, d: number, o: FismoOptions): void {
  const trace = tf.sum(tf.mul(side.factor, side.eye));
  const damped = tf.add(tf.div(stat, other), tf.mul(tf.mul(o.damping / d, trace), side.eye));
  const blended = tf.add(tf.mul(o.factorBeta, side.factor), tf.mul(1 - o.factorBeta, damped));
  const normalised = tf.div(tf.mul(d, blended), tf.sum(tf.mul(blended, side.eye)));
  side.factor.assign(tf.mul(0.5, tf.add(normalised, tf.transpose(normalised))));
}

/**
 * Recomputes F⁻¹ and F^{-1/2} from a Float64 eigendecomposition of F. F moves little between
 * refreshes, so it is first rotated into its previous eigenbasis E (EᵀFE, a TF.js matmul), where it
 * is nearly diagonal and Jacobi needs only a sweep or two; the new basis is E times the rotations.
 */
function refreshRoots(side: Side): void {
  const d = side.factor.shape[0];
  const rotated = tf.tidy(() => tf.matMul(tf.matMul(tf.transpose(side.vectors), side.factor), side.vectors));
  const { values, vectors } = symmetricEigen(rotated.dataSync(), d);
  rotated.dispose();
  const floor = 1e-12 * d;
  const inv = new Float32Array(d);
  const invSqrt = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    const w = Math.max(values[j], floor);
    inv[j] = 1 / w;
    invSqrt[j] = 1 / Math.sqrt(w);
  }
  tf.tidy(() => {
    const e = tf.matMul(side.vectors, tf.tensor2d(Float32Array.from(vectors), [d, d]));
    const et = tf.transpose(e);
    side.vectors.assign(e);
    side.inv.assign(tf.matMul(tf.mul(e, tf.tensor2d(inv, [1, d])), et));
    side.invSqrt.assign(tf.matMul(tf.mul(e, tf.tensor2d(invSqrt, [1, d])), et));
  });
}

/** P^{-1/2}·X·Q^{-1/2} over the sides the block has. Call inside tf.tidy. */
function whiten(x: tf.Tensor2D, b: Block): tf.Tensor2D {
  let out = x;
  if (b.left !== null) out = tf.matMul(b.left.invSqrt, out);
  if (b.right !== null) out = tf.matMul(out, b.right.invSqrt);
  return out;
}
