/**
 * Adam (Kingma & Ba 2015) with exact, portable state.
 *
 * tfjs's own AdamOptimizer tracks β^t as a float32 variable multiplied once per step and rebuilds
 * it with `pow` in setWeights, so a restored optimizer drifts from the original in the last bits;
 * its setWeights also leaks the previous slots. Here the step count is an integer and the bias
 * corrections are computed in float64 each step (as PyTorch does), so a save/restore continues
 * bit for bit. The update is PyTorch's:
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
 *   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε).
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_KERNEL, nativeBlasActive } from '../native-blas.js';
import { OwnedStateOptimizer } from './owned-state-optimizer.js';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** A tensor with a name, as tf.Optimizer's getWeights/setWeights exchange them. */
export type NamedTensor = { name: string; tensor: tf.Tensor };

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
}

/** Name of the step counter in {@link Adam.getWeights}: a float32 [2] of (⌊t / 2^24⌋, t mod 2^24), exact for any t < 2^48. */
export const STEP_TENSOR = 'step';
const SPLIT = 2 ** 24;

export class Adam extends OwnedStateOptimizer<AdamOptions> {
  static get className(): string {
    return 'ImitateAdam';
  }

  private step = 0;
  /**
   * Slots by position in the gradient list (as tfjs's optimizers): learners always pass the same
   * variables in the same order, which is also what makes the state portable across processes
   * (tfjs variable names are not stable).
   */
  private slots: Slot[] = [];

  constructor(options: AdamOptions) {
    super(options);
  }

  /** Number of updates applied. */
  get steps(): number {
    return this.step;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: [string, tf.Tensor | null][] = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.keys(variableGradients).map((name) => [name, variableGradients[name]]);
    const { lr, beta1, beta2, epsilon } = this.options;
    this.step += 1;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    // The native path: one fused kernel for every variable, bit-identical to the ops below (src/native-blas.ts).
    const fused = nativeBlasActive();
    const fusedInputs: tf.NamedTensorMap = {};
    const fusedItems: { variable: tf.Variable; slot: Slot }[] = [];
    tf.tidy(() => {
      const b1 = tf.scalar(beta1);
      const c1 = tf.scalar(1 - beta1);
      const b2 = tf.scalar(beta2);
      const c2 = tf.scalar(1 - beta2);
      const stepSize = tf.scalar(lr / correction1);
      const invSqrtCorrection2 = tf.scalar(1 / Math.sqrt(correction2));
      const eps = tf.scalar(epsilon);
      entries.forEach(([name, gradient], i) => {
        const variable = tf.engine().registeredVariables[name];
        if (variable === undefined) throw new Error(`adam: no variable named '${name}' is registered`);
        let slot = this.slots[i];
        if (slot === undefined) {
          slot = { m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) };
          this.slots[i] = slot;
        } else if (!tf.util.arraysEqual(slot.m.shape, variable.shape)) {
          throw new Error(`adam: state slot ${i} has shape [${slot.m.shape}] but variable '${name}' has shape [${variable.shape}] (variables passed in another order than when the state was made?)`);
        }
        if (gradient == null) return;
        if (fused) {
          const k = fusedItems.length;
          Object.assign(fusedInputs, { [`p${k}`]: variable, [`g${k}`]: gradient, [`m${k}`]: slot.m, [`v${k}`]: slot.v });
          fusedItems.push({ variable, slot });
          return;
        }
        const m = tf.add(tf.mul(b1, slot.m), tf.mul(c1, gradient));
        const v = tf.add(tf.mul(b2, slot.v), tf.mul(c2, tf.square(gradient)));
        slot.m.assign(m);
        slot.v.assign(v);
        const denominator = tf.add(tf.mul(tf.sqrt(v), invSqrtCorrection2), eps);
        variable.assign(tf.sub(variable, tf.mul(stepSize, tf.div(m, denominator))));
      });
      if (fusedItems.length > 0) {
        const h = [beta1, 1 - beta1, beta2, 1 - beta2, lr / correction1, 1 / Math.sqrt(correction2), epsilon];
        const outs = tf.engine().runKernel(ADAM_KERNEL, fusedInputs, { count: fusedItems.length, h }) as tf.Tensor[];
        fusedItems.forEach(({ variable, slot }, i) => {
          variable.assign(outs[3 * i]);
          slot.m.assign(outs[3 * i + 1]);
          slot.v.assign(outs[3 * i + 2]);
        });
      }
    });
    this.incrementIterations();
  }

  /** [step, m_0, ..., m_k, v_0, ..., v_k]; every tensor is owned by the optimizer (do not dispose). */
  override async getWeights(): Promise<NamedTensor[]> {
    return [
      { name: STEP_TENSOR, tensor: this.stepCountTensor(this.step) },
      ...this.slots.map((s, i) => ({ name: `${i}/m`, tensor: s.m as tf.Tensor })),
      ...this.slots.map((s, i) => ({ name: `${i}/v`, tensor: s.v as tf.Tensor })),
    ];
  }

  /** Restores what {@link Adam.getWeights} returned (copies the values). */
  override async setWeights(weights: NamedTensor[]): Promise<void> {
    const stepEntry = weights.find((w) => w.name === STEP_TENSOR);
    if (stepEntry === undefined) throw new Error(`adam state: tensor '${STEP_TENSOR}' is missing`);
    const [hi, lo] = Array.from(await stepEntry.tensor.data()) as number[];
    const step = hi * SPLIT + lo;
    if (!Number.isSafeInteger(step) || step < 0) throw new Error(`adam state: invalid step count ${step}`);
    const byName = new Map(weights.map((w) => [w.name, w.tensor]));
    const count = (weights.length - 1) / 2;
    if (!Number.isInteger(count)) throw new Error(`adam state: expected a step and pairs of m/v slots, got ${weights.length} tensors`);
    const slots: Slot[] = [];
    for (let i = 0; i < count; i++) {
      const m = byName.get(`${i}/m`);
      const v = byName.get(`${i}/v`);
      if (m === undefined || v === undefined) throw new Error(`adam state: slot ${i} is missing '${i}/${m === undefined ? 'm' : 'v'}'`);
      if (!tf.util.arraysEqual(m.shape, v.shape)) throw new Error(`adam state: slot ${i} has m [${m.shape}] but v [${v.shape}]`);
      slots.push({ m: tf.variable(m.clone(), false), v: tf.variable(v.clone(), false) });
    }
    this.disposeSlots();
    this.slots = slots;
    this.step = step;
    this.iterations_ = step;
  }

  protected override disposeSlots(): void {
    for (const s of this.slots) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots = [];
  }
}
