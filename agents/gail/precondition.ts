/**
 * Pessimistic reward preconditioning (paper §3): the learner gets r̃ = κ·r with κ ∈ (0, 1], which
 * scales the critic's Lipschitz bound by κ. Any κ(s, a) in (0, 1] is allowed: implement
 * {@link Preconditioner} (or wrap a plain function with {@link functionPreconditioner}) and pass it
 * to the GAIL extension. Two are built in:
 * - PURPLE (`purple`, the paper's `gail_mod_f`): pen = batch mean of max(0, g − k_f)², g the
 *   forward model's Jacobian-norm proxy at each row; σ = std of the last `window` pen values
 *   (floored at 0.1); κ = max(floor, exp(−pen/σ)), one scalar per reward computation, as in the
 *   paper's code (per sampled batch, n-step windows included);
 * - the reward-gradient preconditioner of the paper's first ablation (`reward-grad`, `gail_mod`):
 *   κ_i = max(floor, exp(−max(0, ‖∇h(x_i)‖ − k)²/σ)) per row, σ from the window of batch means,
 *   floor 0 by default (the original had none; κ is kept ≥ 1e-6, as exp underflows to 0).
 */
import * as tf from '@tensorflow/tfjs';
import type { Discriminator } from './discriminator.js';
import type { ForwardModel } from './forward-model.js';

/** The smallest κ the reward-gradient preconditioner returns (exp(−pen/σ) underflows to 0). */
export const MIN_KAPPA = 1e-6;

/** σ is never below this (the paper's running-moments floor). */
export const SIGMA_FLOOR = 0.1;

export interface Preconditioner {
  readonly name: string;
  /**
   * κ for each row of `stateAction` ([n, |s| + |a|], the discriminator's (s, a) layout, absorbing
   * flags included), each in (0, 1]. Called whenever rewards are computed; may update statistics.
   */
  kappa(stateAction: tf.Tensor2D): Float32Array;
  /** Internal statistics to checkpoint (JSON). */
  state?(): unknown;
  setState?(state: unknown): void;
}

/** The last `length` values and their std, floored at {@link SIGMA_FLOOR}. */
export class WindowStd {
  values: number[] = [];
  constructor(readonly length: number) {}

  push(v: number): number {
    this.values.push(v);
    if (this.values.length > this.length) this.values.shift();
    const m = this.values.reduce((a, b) => a + b, 0) / this.values.length;
    const std = Math.sqrt(this.values.reduce((a, b) => a + (b - m) ** 2, 0) / this.values.length);
    return Math.max(SIGMA_FLOOR, std);
  }
}

/** PURPLE: one κ per call from the forward model's Jacobian-norm proxy. */
export class Purple implements Preconditioner {
  readonly name = 'purple';
  private readonly window: WindowStd;

  constructor(private readonly model: ForwardModel, readonly kf: number, readonly floor: number, windowLength: number) {
    this.window = new WindowStd(windowLength);
  }

  kappa(stateAction: tf.Tensor2D): Float32Array {
    const pen = tf.tidy(() => tf.mean(tf.square(tf.relu(tf.sub(this.model.jacobianProxy(stateAction), this.kf)))).dataSync()[0]);
    const sigma = this.window.push(pen);
    return new Float32Array(stateAction.shape[0]).fill(Math.max(this.floor, Math.exp(-pen / sigma)));
  }

  state(): unknown {
    return { window: [...this.window.values] };
  }

  setState(state: unknown): void {
    this.window.values = [...(state as { window: number[] }).window];
  }
}

/** The reward-gradient preconditioner: κ per row from the discriminator logit's input gradient. */
export class RewardGradient implements Preconditioner {
  readonly name = 'reward-grad';
  private readonly window: WindowStd;

  constructor(private readonly disc: Discriminator, readonly k: number, readonly floor: number, windowLength: number) {
    this.window = new WindowStd(windowLength);
  }

  kappa(stateAction: tf.Tensor2D): Float32Array {
    const pens = tf.tidy(() => {
      const { grad } = this.disc.logitsAndInputGradient(stateAction);
      return tf.square(tf.relu(tf.sub(tf.sqrt(tf.add(tf.sum(tf.square(grad), 1), 1e-12)), this.k))).dataSync() as Float32Array;
    });
    const sigma = this.window.push(pens.reduce((a, b) => a + b, 0) / pens.length);
    // exp underflows to 0 for steep rows; κ must stay positive.
    return pens.map((p) => Math.max(this.floor, MIN_KAPPA, Math.exp(-p / sigma)));
  }

  state(): unknown {
    return { window: [...this.window.values] };
  }

  setState(state: unknown): void {
    this.window.values = [...(state as { window: number[] }).window];
  }
}

/** A user's κ(s, a) as a plain function of the flat (s, a) rows ([count × width]). */
export function functionPreconditioner(name: string, fn: (stateAction: Float32Array, count: number, width: number) => Float32Array): Preconditioner {
  return {
    name,
    kappa(stateAction: tf.Tensor2D): Float32Array {
      return fn(stateAction.dataSync() as Float32Array, stateAction.shape[0], stateAction.shape[1]);
    },
  };
}

/** Checks that κ has one value in (0, 1] per row; the error names the preconditioner and the row. */
export function checkKappa(kappa: Float32Array, count: number, name: string): void {
  if (kappa.length !== count) throw new RangeError(`preconditioner '${name}' returned ${kappa.length} values for ${count} rows`);
  for (let i = 0; i < count; i++) {
    if (!(kappa[i] > 0 && kappa[i] <= 1)) throw new RangeError(`preconditioner '${name}' returned κ = ${kappa[i]} for row ${i}; κ must be in (0, 1]`);
  }
}
