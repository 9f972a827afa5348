/**
 * SOAP (Vyas et al. 2024, "SOAP: Improving and Stabilizing Shampoo using Adam"): Adam run in the
 * eigenbasis of Shampoo's Kronecker factors L = EMA(G Gᵀ) and R = EMA(Gᵀ G), the basis refreshed
 * by one power-iteration + QR step every `preconditionFrequency` updates. It follows the
 * reference implementation (nikhilvyas/SOAP, soap.py at a1e5535; spec/optimizers.md §A):
 *
 * - the first step on a parameter only fills L, R and the initial bases (eigh of L + 1e-30·I);
 *   the weights do not move and the update counter stays at 0;
 * - later steps: G' = Q_Lᵀ G Q_R; M, V are Adam's moments of G' (kept in the rotated basis);
 *   N = Q_L (M ⊘ (√V + ε)) Q_Rᵀ, ε added before bias correction; W ← (W − α·N)·(1 − lr·λ) with
 *   α = lr·√(1−β2^t)/(1−β1^t) (weight decay after the step, with the raw lr);
 * - then L, R take the current gradient, and every f updates the basis is refreshed: the columns
 *   are sorted by their Rayleigh quotients (V permuted the same way, never rotated), one step
 *   Q ← QR(K·Q) runs, and M moves from the old basis into the new one.
 *
 * The reference rotates M back and forth on every step; with an unchanged basis that is the
 * identity, so here it happens only when the basis changes (same arithmetic, 4 fewer matmuls).
 * A side longer than `maxPrecondDim` (or of length 1) is not preconditioned: one-sided SOAP, and
 * Adam when neither side is. Vectors are Adam unless `precondition1d`; with `mergeDims` a matrix
 * whose size fits in `maxPrecondDim` is flattened into one preconditioned vector (as the
 * reference, even without `precondition1d`). Rank ≥ 3 parameters are batches of independent
 * matrices over their leading dimensions (src/optim/blocks.ts).
 *
 * The eigendecomposition and (for sides up to 64) the QR run in Float64 on the CPU; longer sides
 * use a blocked Householder QR whose O(d³) work runs as float32 matmuls (src/optim/linalg.ts). Every
 * state tensor is float32 and everything else is recomputed from them, so a checkpoint resumes bit
 * for bit.
 *
 * On the native path (src/native-blas.ts active) every update after the warm-up runs as one fused
 * addon call for all parameters (src/optim/soap-native.ts): the same steps with CBLAS products and
 * a Float64 LAPACK QR for every side, in place on the same state tensors, so checkpoints are
 * interchangeable between the paths. The paths agree to float32 rounding, not bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedTensor } from './adam.js';
import { blockLayout, fromBlocks, toBlocks, type BlockLayout } from './blocks.js';
import { joinCount, splitCount } from './counter.js';
import { OwnedStateOptimizer } from './owned-state-optimizer.js';
import { gradientEntries, registeredVariable, stateVariable } from './gradients.js';
import { blockedHouseholderQ, householderQr, symmetricEigen } from './linalg.js';
import type { SoapJob } from '../native-blas.js';
import { fusedOptimizerSteps, upkeepRunsInBackground, type FusedSteps } from '../native-optim.js';
import { soapSettleNative, soapStepNative, type SoapNativeItem } from './soap-native.js';

/** Sides longer than this are refreshed with the blocked QR (float32 matmuls), shorter ones in Float64. */
const BLOCKED_QR_FROM = 64;

export interface SoapOptions {
  lr: number;
  beta1: number;
  beta2: number;
  /** EMA decay of the factors L, R; negative means β2. */
  shampooBeta: number;
  eps: number;
  weightDecay: number;
  preconditionFrequency: number;
  maxPrecondDim: number;
  mergeDims: boolean;
  precondition1d: boolean;
  normalizeGrads: boolean;
  correctBias: boolean;
}

/** The reference's defaults (soap.py a1e5535), lr included. */
export const SOAP_DEFAULTS: SoapOptions = {
  lr: 3e-3,
  beta1: 0.95,
  beta2: 0.95,
  shampooBeta: -1,
  eps: 1e-8,
  weightDecay: 0.01,
  preconditionFrequency: 10,
  maxPrecondDim: 10000,
  mergeDims: false,
  precondition1d: false,
  normalizeGrads: false,
  correctBias: true,
};

/** One preconditioned side of a block: its factor and its basis (and the basis transposed). */
interface Side {
  factor: tf.Variable;
  q: tf.Variable;
  /** Qᵀ, kept so that no matmul needs a transpose flag (slow on wasm); derived from q. */
  qt: tf.Variable;
}

interface Block {
  m: tf.Variable;
  v: tf.Variable;
  left: Side | null;
  right: Side | null;
}

interface Slot {
  /** Whether the bases exist (the warm-up step has run). */
  ready: boolean;
  /** Real updates so far. */
  t: number;
  blocks: Block[];
}

/** How one block of a parameter is treated: its (possibly merged) shape and which sides are preconditioned. */
export interface SoapBlockPlan {
  rows: number;
  cols: number;
  left: boolean;
  right: boolean;
}

/** The treatment of a parameter of `shape` under `options` (exported for tests and docs). */
export function soapPlan(shape: readonly number[], options: Pick<SoapOptions, 'maxPrecondDim' | 'mergeDims' | 'precondition1d'>): { layout: BlockLayout; block: SoapBlockPlan } {
  const layout = blockLayout(shape);
  const { rows, cols } = layout;
  const fits = (d: number) => d > 1 && d <= options.maxPrecondDim;
  if (shape.length <= 1) return { layout, block: { rows, cols, left: options.precondition1d && fits(rows), right: false } };
  if (options.mergeDims && rows * cols <= options.maxPrecondDim) {
    return { layout, block: { rows: rows * cols, cols: 1, left: fits(rows * cols), right: false } };
  }
  return { layout, block: { rows, cols, left: fits(rows), right: fits(cols) } };
}

/** The optimizers whose upkeep may be running in the background (see {@link settleBackgroundUpkeep}). */
const withJobs = new Set<WeakRef<Soap>>();

/**
 * Waits for every SOAP optimizer's background upkeep and writes its state back: afterwards no
 * optimizer thread is running. Benchmarks call it to charge that work to the updates that caused it.
 */
export function settleBackgroundUpkeep(): void {
  for (const ref of [...withJobs]) {
    const soap = ref.deref();
    if (soap === undefined) withJobs.delete(ref);
    else soap.settleUpkeep();
  }
}

export class Soap extends OwnedStateOptimizer<SoapOptions> {
  static get className(): string {
    return 'ImitateSoap';
  }

  private calls = 0;
  private slots: (Slot | undefined)[] = [];
  private headTensors: tf.Variable[] = [];
  /** The native path's upkeep in the background, for `blocks` in this order (src/optim/soap-native.ts). */
  private job: { handle: SoapJob; addon: FusedSteps; blocks: Block[] } | null = null;
  private readonly ref = new WeakRef(this);

  constructor(options: SoapOptions) {
    super(options);
  }

  /** Real (non-warm-up) updates applied to the parameter at position `i`. */
  updatesOf(i: number): number {
    return this.slots[i]?.t ?? 0;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = gradientEntries(variableGradients);
    this.calls += 1;
    // The native path: every parameter's update (not the one-off warm-up) in one addon call (src/optim/soap-native.ts).
    const fused = fusedOptimizerSteps();
    // The tf path reads and writes the state: the background job's share goes back first.
    if (fused === null) this.settle(true);
    const native: SoapNativeItem[] = [];
    entries.forEach(([name, gradient], i) => {
      const variable = registeredVariable(name, 'soap');
      const { layout, block } = soapPlan(variable.shape, this.options);
      let slot = this.slots[i];
      if (slot === undefined) {
        slot = { ready: false, t: 0, blocks: Array.from({ length: layout.count }, () => newBlock(block)) };
        this.slots[i] = slot;
      } else {
        checkSlot(slot, layout, block, i, name);
      }
      // The reference skips a parameter without gradient entirely: no state change, no decay.
      if (gradient == null) return;
      if (!slot.ready) this.warmUp(slot, gradient, layout, block);
      else if (fused !== null) {
        slot.t += 1;
        const refresh = slot.t % this.options.preconditionFrequency === 0;
        native.push({ variable, gradient, layout, rows: block.rows, cols: block.cols, blocks: slot.blocks, alpha: this.alphaAt(slot.t), refresh });
      } else this.update(slot, variable, gradient, layout, block);
    });
    if (native.length > 0) {
      const { beta1, beta2, eps, lr, weightDecay, normalizeGrads } = this.options;
      const blocks = native.flatMap((item) => item.blocks);
      const background = upkeepRunsInBackground();
      if (this.job !== null && (!background || this.job.addon !== fused || !sameBlocks(this.job.blocks, blocks))) this.settle(true);
      const hyper = { beta1, beta2, eps, lr, weightDecay, normalizeGrads, betaShampoo: this.betaShampoo() };
      const handle = soapStepNative(fused!, native, hyper, background ? (this.job?.handle ?? null) : undefined);
      this.job = handle === undefined ? null : { handle, addon: fused!, blocks };
      if (this.job !== null) withJobs.add(this.ref);
    }
    this.incrementIterations();
  }

  /**
   * Writes what the background job holds back into the state variables (and forgets the job when
   * `drop`); a no-op without one. Before anything reads the state, or changes which blocks step.
   */
  private settle(drop: boolean): void {
    if (this.job === null) return;
    const { handle, addon, blocks } = this.job;
    if (drop) this.forgetJob();
    soapSettleNative(addon, blocks, handle);
  }

  private forgetJob(): void {
    this.job = null;
    withJobs.delete(this.ref);
  }

  /** Waits for this optimizer's background upkeep, if any, and writes the state it holds back into the state variables. */
  settleUpkeep(): void {
    this.settle(false);
  }

  /** The step size of real update `t`: lr, bias-corrected as Adam's when `correctBias`. */
  private alphaAt(t: number): number {
    const { lr, beta1, beta2, correctBias } = this.options;
    return correctBias ? (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t) : lr;
  }

  private betaShampoo(): number {
    return this.options.shampooBeta >= 0 ? this.options.shampooBeta : this.options.beta2;
  }

  /** First step: factors take (1−β_s)·G Gᵀ etc., bases from eigh; W and t are untouched. */
  private warmUp(slot: Slot, gradient: tf.Tensor, layout: BlockLayout, plan: SoapBlockPlan): void {
    const grads = tf.tidy(() => toBlocks(gradient, layout).map((g) => tf.reshape(g, [plan.rows, plan.cols]) as tf.Tensor2D));
    slot.blocks.forEach((b, k) => {
      this.accumulateFactors(b, grads[k]);
      for (const side of [b.left, b.right]) {
        if (side === null) continue;
        const d = side.factor.shape[0];
        const k2 = Float64Array.from(side.factor.dataSync());
        for (let i = 0; i < d; i++) k2[i * d + i] += 1e-30;
        setBasis(side, symmetricEigen(k2, d).vectors);
      }
    });
    tf.dispose(grads);
    slot.ready = true;
  }

  private accumulateFactors(b: Block, g: tf.Tensor2D): void {
    const beta = this.betaShampoo();
    tf.tidy(() => {
      if (b.left !== null) b.left.factor.assign(tf.add(tf.mul(beta, b.left.factor), tf.mul(1 - beta, tf.matMul(g, tf.transpose(g)))));
      if (b.right !== null) b.right.factor.assign(tf.add(tf.mul(beta, b.right.factor), tf.mul(1 - beta, tf.matMul(tf.transpose(g), g))));
    });
  }

  private update(slot: Slot, variable: tf.Variable, gradient: tf.Tensor, layout: BlockLayout, plan: SoapBlockPlan): void {
    const { lr, beta1, beta2, eps, weightDecay, normalizeGrads, preconditionFrequency } = this.options;
    slot.t += 1;
    const t = slot.t;
    const alpha = this.alphaAt(t);
    tf.tidy(() => {
      const grads = toBlocks(gradient, layout).map((g) => tf.reshape(g, [plan.rows, plan.cols]) as tf.Tensor2D);
      const directions = slot.blocks.map((b, k) => {
        const rotated = rotate(grads[k], b);
        const m = tf.add(tf.mul(beta1, b.m), tf.mul(1 - beta1, rotated));
        const v = tf.add(tf.mul(beta2, b.v), tf.mul(1 - beta2, tf.square(rotated)));
        b.m.assign(m);
        b.v.assign(v);
        let n = rotateBack(tf.div(m, tf.add(tf.sqrt(v), eps)) as tf.Tensor2D, b);
        if (normalizeGrads) n = tf.div(n, tf.add(tf.sqrt(tf.mean(tf.square(n))), 1e-30));
        return tf.reshape(n, [layout.rows, layout.cols]) as tf.Tensor2D;
      });
      let w = tf.sub(variable, tf.mul(alpha, fromBlocks(directions, variable.shape)));
      if (weightDecay > 0) w = tf.sub(w, tf.mul(lr * weightDecay, w));
      variable.assign(w);
      slot.blocks.forEach((b, k) => this.accumulateFactors(b, grads[k]));
    });
    if (t % preconditionFrequency === 0) for (const b of slot.blocks) if (b.left !== null || b.right !== null) refresh(b);
  }

  /**
   * [step, then per parameter i: `i/head` = (ready, t as two float32 halves), and per block k:
   * `i/k/m`, `i/k/v`, `i/k/L`, `i/k/QL`, `i/k/R`, `i/k/QR` (the sides it has)]. The tensors are
   * owned by the optimizer (do not dispose).
   */
  override async getWeights(): Promise<NamedTensor[]> {
    this.settle(false);
    const out: NamedTensor[] = [{ name: 'step', tensor: this.stepCountTensor(this.calls) }];
    this.slots.forEach((slot, i) => {
      if (slot === undefined) return;
      const head = tf.tensor1d([slot.ready ? 1 : 0, ...splitCount(slot.t)], 'float32');
      if (this.headTensors[i] === undefined) this.headTensors[i] = tf.variable(head, false);
      else this.headTensors[i].assign(head);
      head.dispose();
      out.push({ name: `${i}/head`, tensor: this.headTensors[i] });
      slot.blocks.forEach((b, k) => {
        out.push({ name: `${i}/${k}/m`, tensor: b.m }, { name: `${i}/${k}/v`, tensor: b.v });
        if (b.left !== null) out.push({ name: `${i}/${k}/L`, tensor: b.left.factor }, { name: `${i}/${k}/QL`, tensor: b.left.q });
        if (b.right !== null) out.push({ name: `${i}/${k}/R`, tensor: b.right.factor }, { name: `${i}/${k}/QR`, tensor: b.right.q });
      });
    });
    return out;
  }

  /** Restores what {@link Soap.getWeights} returned (copies the values). */
  override async setWeights(weights: NamedTensor[]): Promise<void> {
    const byName = new Map(weights.map((w) => [w.name, w.tensor]));
    const stepEntry = byName.get('step');
    if (stepEntry === undefined) throw new Error(`soap state: tensor 'step' is missing`);
    const [hi, lo] = Array.from(await stepEntry.data());
    const calls = joinCount(hi, lo, 'soap state: step');
    const slots: (Slot | undefined)[] = [];
    const indices = new Set<number>();
    for (const w of weights) {
      const m = /^(\d+)\/head$/.exec(w.name);
      if (m !== null) indices.add(Number(m[1]));
    }
    try {
      for (const i of [...indices].sort((a, b) => a - b)) {
        const [ready, thi, tlo] = Array.from(await byName.get(`${i}/head`)!.data());
        const blocks: Block[] = [];
        for (let k = 0; byName.has(`${i}/${k}/m`); k++) {
          const get = (what: string) => byName.get(`${i}/${k}/${what}`);
          const m = get('m')!;
          const v = get('v');
          if (v === undefined || !tf.util.arraysEqual(m.shape, v.shape)) throw new Error(`soap state: parameter ${i} block ${k} needs m and v of the same shape`);
          const side = (f: string, q: string): Side | null => {
            const factor = get(f);
            const basis = get(q);
            if (factor === undefined && basis === undefined) return null;
            if (factor === undefined || basis === undefined) throw new Error(`soap state: parameter ${i} block ${k} has only one of '${f}' and '${q}'`);
            return { factor: stateVariable(factor.clone()), q: stateVariable(basis.clone()), qt: stateVariable(tf.transpose(basis)) };
          };
          blocks.push({ m: stateVariable(m.clone()), v: stateVariable(v.clone()), left: side('L', 'QL'), right: side('R', 'QR') });
        }
        if (blocks.length === 0) throw new Error(`soap state: parameter ${i} has a head but no blocks`);
        slots[i] = { ready: ready === 1, t: joinCount(thi, tlo, `soap state: parameter ${i} t`), blocks };
      }
    } catch (e) {
      slots.forEach((s) => s?.blocks.forEach(disposeBlock));
      throw e;
    }
    this.disposeSlots();
    this.slots = slots;
    this.calls = calls;
    this.iterations_ = calls;
  }

  protected override disposeSlots(): void {
    this.forgetJob(); // the addon joins and frees it when it is collected
    for (const s of this.slots) s?.blocks.forEach(disposeBlock);
    this.slots = [];
    this.headTensors.forEach((h) => h.dispose());
    this.headTensors = [];
  }
}

function sameBlocks(a: Block[], b: Block[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function newBlock(plan: SoapBlockPlan): Block {
  const side = (d: number): Side => ({
    factor: stateVariable(tf.zeros([d, d])),
    q: stateVariable(tf.eye(d)),
    qt: stateVariable(tf.eye(d)),
  });
  return {
    m: stateVariable(tf.zeros([plan.rows, plan.cols])),
    v: stateVariable(tf.zeros([plan.rows, plan.cols])),
    left: plan.left ? side(plan.rows) : null,
    right: plan.right ? side(plan.cols) : null,
  };
}

function disposeBlock(b: Block): void {
  tf.dispose([b.m, b.v]);
  for (const s of [b.left, b.right]) if (s !== null) tf.dispose([s.factor, s.q, s.qt]);
}

function checkSlot(slot: Slot, layout: BlockLayout, plan: SoapBlockPlan, i: number, name: string): void {
  const b = slot.blocks[0];
  const ok =
    slot.blocks.length === layout.count &&
    tf.util.arraysEqual(b.m.shape, [plan.rows, plan.cols]) &&
    (b.left !== null) === plan.left &&
    (b.right !== null) === plan.right;
  if (!ok) {
    throw new Error(
      `soap: state slot ${i} (${slot.blocks.length} block(s) of [${b.m.shape}], sides ${b.left !== null}/${b.right !== null}) does not fit variable '${name}' (${layout.count} block(s) of [${plan.rows},${plan.cols}], sides ${plan.left}/${plan.right}); variables passed in another order, or other options than when the state was made?`,
    );
  }
}

/** Q_Lᵀ·X·Q_R over the sides the block has. */
function rotate(x: tf.Tensor2D, b: Block): tf.Tensor2D {
  let out = x;
  if (b.left !== null) out = tf.matMul(b.left.qt, out);
  if (b.right !== null) out = tf.matMul(out, b.right.q);
  return out;
}

/** Q_L·X·Q_Rᵀ over the sides the block has. */
function rotateBack(x: tf.Tensor2D, b: Block): tf.Tensor2D {
  let out = x;
  if (b.left !== null) out = tf.matMul(b.left.q, out);
  if (b.right !== null) out = tf.matMul(out, b.right.qt);
  return out;
}

/** Sets a side's basis from row-major Float64 `vectors`. */
function setBasis(side: Side, vectors: Float64Array): void {
  const d = side.q.shape[0];
  tf.tidy(() => {
    const q = tf.tensor2d(Float32Array.from(vectors), [d, d]);
    side.q.assign(q);
    side.qt.assign(tf.transpose(q));
  });
}

/**
 * One power-iteration + QR step on each side of `b` (spec §A3), with M carried from the old basis
 * to the new one and V's rows/columns permuted by the Rayleigh-quotient order.
 */
function refresh(b: Block): void {
  const original = tf.tidy(() => rotateBack(b.m as tf.Tensor as tf.Tensor2D, b));
  const sides: [Side | null, number][] = [
    [b.left, 0],
    [b.right, 1],
  ];
  for (const [side, axis] of sides) {
    if (side === null) continue;
    const d = side.q.shape[0];
    // P = K·O gives both the Rayleigh quotients e_j = Σ_i O_ij P_ij and the power-iteration
    // matrix K·O[:, π] = P[:, π], so OᵀKO is never formed.
    const p = tf.tidy(() => tf.matMul(side.factor, side.q));
    const rayleigh = tf.tidy(() => tf.sum(tf.mul(side.q, p), 0));
    const e = rayleigh.dataSync();
    rayleigh.dispose();
    const order = Array.from({ length: d }, (_, j) => j).sort((x, y) => e[y] - e[x] || x - y);
    tf.tidy(() => b.v.assign(tf.gather(b.v, tf.tensor1d(order, 'int32'), axis)));
    if (d > BLOCKED_QR_FROM) {
      // Large sides: the O(d³) part of the QR as float32 matmuls (src/optim/linalg.ts).
      const q = tf.tidy(() => blockedHouseholderQ(tf.gather(p, tf.tensor1d(order, 'int32'), 1) as tf.Tensor2D));
      side.q.assign(q);
      tf.tidy(() => side.qt.assign(tf.transpose(q)));
      q.dispose();
    } else {
      const pv = p.dataSync();
      const s = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s[i * d + j] = pv[i * d + order[j]];
      setBasis(side, householderQr(s, d, d).q);
    }
    p.dispose();
  }
  tf.tidy(() => b.m.assign(rotate(original, b)));
  original.dispose();
}
