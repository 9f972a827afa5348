/**
 * The gradient penalty on the discriminator's logit h with respect to its (s, a) input (paper §2):
 *   λ · mean_i (‖∇_x h(x̃_i)‖ − k)²            two-sided (WGAN-GP),
 *   λ · mean_i max(0, ‖∇_x h(x̃_i)‖ − k)²      one-sided,
 * at points x̃ drawn from ζ:
 * - `wgan`: x̃ = ε·p + (1 − ε)·e between an agent sample p and an expert sample e paired row by
 *   row, ε ~ U[0, 1] per row (one ε for the whole vector, as DAC and WGAN-GP; the paper's code
 *   draws separate ε for the state and the action part: `separateEpsilon`);
 * - `dragan`: x̃ = e + ξ around expert samples, ξ ~ N(0, σ²) on every coordinate (σ = 10 in the
 *   paper's code, not scaled by the data);
 * - `nagard`: x̃ = p + ξ around agent samples;
 * - `none`: no penalty.
 * ∇_x h is built from explicit ops (src/nn/leaky-mlp.ts), so the penalty's weight gradient is an
 * ordinary first-order gradient; it is checked against finite differences in the tests.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Rng } from '../../src/rng.js';

export const PENALTY_TYPES = ['wgan', 'dragan', 'nagard', 'none'] as const;
export type PenaltyType = (typeof PENALTY_TYPES)[number];

export const penaltyConfigSchema = z.strictObject({
  /** ζ, where the penalty is enforced. */
  type: z.enum(PENALTY_TYPES).default('wgan'),
  /** k, the target gradient norm (the local Lipschitz constant aimed at). */
  k: z.number().min(0).default(1),
  /** λ, the penalty's weight in the discriminator loss. */
  lambda: z.number().min(0).default(10),
  /** Penalise only norms above k. */
  oneSided: z.boolean().default(false),
  /** `dragan`/`nagard` noise std σ. */
  noiseStd: z.number().positive().default(10),
  /** `wgan` with separate ε for the state part and the action part (the paper's code). */
  separateEpsilon: z.boolean().default(false),
});

export type PenaltyConfig = z.infer<typeof penaltyConfigSchema>;

/**
 * The points x̃ [n, d] at which the penalty is taken, from expert rows E and agent rows P (raw
 * discriminator inputs, [n_e, d] and [n_p, d]); `splitAt` is where the action (or next-state) part
 * starts, for `separateEpsilon`. Draws come from `rng` only. Null for type `none`.
 */
export function penaltyPoints(config: PenaltyConfig, expert: tf.Tensor2D, agent: tf.Tensor2D, splitAt: number, rng: Rng): tf.Tensor2D | null {
  const d = expert.shape[1];
  if (agent.shape[1] !== d) throw new Error(`penaltyPoints: expert rows have ${d} columns, agent rows ${agent.shape[1]}`);
  switch (config.type) {
    case 'none':
      return null;
    case 'wgan': {
      const n = Math.min(expert.shape[0], agent.shape[0]);
      const eps = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        const a = rng.random();
        const b = config.separateEpsilon ? rng.random() : a;
        for (let j = 0; j < d; j++) eps[i * d + j] = j < splitAt ? a : b;
      }
      return tf.tidy(() => {
        const e = tf.tensor2d(eps, [n, d]);
        const p = agent.shape[0] === n ? agent : tf.slice(agent, [0, 0], [n, d]);
        const x = expert.shape[0] === n ? expert : tf.slice(expert, [0, 0], [n, d]);
        return tf.add(tf.mul(e, p), tf.mul(tf.sub(1, e), x)) as tf.Tensor2D;
      });
    }
    case 'dragan':
    case 'nagard': {
      const centre = config.type === 'dragan' ? expert : agent;
      const n = centre.shape[0];
      const noise = new Float32Array(n * d);
      for (let i = 0; i < noise.length; i++) noise[i] = rng.normal(0, config.noiseStd);
      return tf.tidy(() => tf.add(centre, tf.tensor2d(noise, [n, d])) as tf.Tensor2D);
    }
    default:
      throw new Error(`unknown gradient penalty type '${String(config.type)}'; expected one of ${PENALTY_TYPES.join(', ')}`);
  }
}

/** Per-row ‖g‖ of input gradients g [n, d] (with a tiny floor so that the norm's gradient exists at 0). */
export function gradientNorms(g: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sqrt(tf.add(tf.sum(tf.square(g), 1), 1e-12)) as tf.Tensor1D);
}

/** mean (‖g‖ − k)², or mean max(0, ‖g‖ − k)² one-sided, before the weight λ. */
export function penaltyFromNorms(norms: tf.Tensor1D, k: number, oneSided: boolean): tf.Scalar {
  return tf.tidy(() => {
    const excess = tf.sub(norms, k);
    return tf.mean(tf.square(oneSided ? tf.relu(excess) : excess)) as tf.Scalar;
  });
}
