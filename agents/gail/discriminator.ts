/**
 * The GAIL discriminator D(s, a) = σ(h(x)), x = [s, a] (or [s, s'] with `stateOnly`), trained to
 * tell expert samples (label 1) from the agent's (label 0); h, the logit, is what the reward and
 * the gradient penalty see (paper §1.3).
 *
 * Network: MLP 100-100, LeakyReLU(0.1), optional spectral norm on the hidden layers, orthogonal
 * init with gain √2/√(1 + 0.1²) (output 0.01), zero biases. Observations are clamped to ±`obsClip`
 * before the network (the paper's raw-observation preprocessing); actions are not. The clamp's
 * derivative is 0 on saturated coordinates, so the penalty's ∇_x h is zero there too, as in the
 * paper's code.
 *
 * Loss per (expert batch E, agent batch P):
 *   mean BCE(h(P), 0) + mean BCE(h(E), y_E) − λ_ent·mean H(σ(h(P ∪ E))) + λ·GP,
 * with y_E = 1, or ~U(low, high) per sample under one-sided label smoothing; H is the binary
 * entropy, an exploration bonus for D as in OpenAI-baselines GAIL.
 *
 * Batching (`batching`):
 * - `epoch` (the paper's): one call is a full pass over the shuffled expert set in minibatches of
 *   min(N_E, batchSize) (the last partial one dropped), each paired with a fresh permutation of
 *   the *same* agent batch;
 * - `single`: one expert minibatch drawn per call, paired with the agent batch.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { LeakyMlp } from '../../src/nn/leaky-mlp.js';
import { createOptimizer, parseOptimizerOptions } from '../../src/optim/registry.js';
import type { Rng } from '../../src/rng.js';
import { inOrder } from '../learner-state.js';
import { gradientNorms, penaltyConfigSchema, penaltyFromNorms, penaltyPoints, type PenaltyConfig } from './penalty.js';

const LEAKY = 0.1;

export const discriminatorConfigSchema = z.strictObject({
  hidden: z.array(z.number().int().positive()).min(1).default([100, 100]),
  spectralNorm: z.boolean().default(true),
  /** D(s, s') instead of D(s, a). */
  stateOnly: z.boolean().default(false),
  /** Observations are clamped to ±obsClip before the network; null: no clamp. */
  obsClip: z.number().positive().nullable().default(5),
  /** λ_ent of the entropy bonus. */
  entropyBonus: z.number().min(0).default(0.001),
  /** One-sided label smoothing: expert labels ~U(low, high); null: labels are 1. */
  labelSmoothing: z.tuple([z.number(), z.number()]).nullable().default(null),
  batching: z.enum(['epoch', 'single']).default('epoch'),
  /** Agent batch size, and the expert minibatch size (capped by the expert set's size). */
  batchSize: z.number().int().positive().default(64),
  /** An optimizer from the registry by name, with its options. */
  optimizer: z.looseObject({ name: z.string().min(1) }).default({ name: 'adam', lr: 5e-4 }),
  penalty: penaltyConfigSchema.default(penaltyConfigSchema.parse({})),
});

export type DiscriminatorConfig = z.infer<typeof discriminatorConfigSchema>;

/** Sizes of the discriminator's input parts (flags included when absorbing states are on). */
export interface DiscriminatorDims {
  obsDim: number;
  actDim: number;
}

/** Mean metrics of one {@link Discriminator.train} call, read from the backend once. */
export interface DiscriminatorMetrics {
  d_loss: number;
  d_bce: number;
  d_entropy: number;
  d_penalty: number;
  /** Mean ‖∇_x h‖ at the penalty's points. */
  d_gp_grad_norm: number;
  /** Share of expert (agent) samples classified as expert (agent). */
  d_expert_acc: number;
  d_agent_acc: number;
  d_steps: number;
}

export class Discriminator {
  readonly config: DiscriminatorConfig;
  readonly net: LeakyMlp;
  readonly optimizer: tf.Optimizer;
  readonly inputDim: number;
  /** Where the second part (action, or next state) of an input row starts. */
  readonly splitAt: number;
  private readonly low: tf.Tensor2D;
  private readonly high: tf.Tensor2D;

  constructor(config: DiscriminatorConfig, readonly dims: DiscriminatorDims, rng: Rng) {
    this.config = config;
    const { name, ...options } = config.optimizer;
    parseOptimizerOptions(name, options);
    this.splitAt = dims.obsDim;
    this.inputDim = dims.obsDim + (config.stateOnly ? dims.obsDim : dims.actDim);
    this.net = new LeakyMlp(
      { inputDim: this.inputDim, hidden: config.hidden, outputDim: 1, slope: LEAKY, spectralNorm: config.spectralNorm, hiddenGain: Math.SQRT2 / Math.sqrt(1 + LEAKY ** 2), outputGain: 0.01 },
      rng,
      'discriminator',
    );
    this.optimizer = createOptimizer(name, options);
    // Per-coordinate clamp bounds: observations ±obsClip, actions unbounded.
    const clip = config.obsClip ?? Infinity;
    const lo = new Float32Array(this.inputDim);
    const hi = new Float32Array(this.inputDim);
    for (let j = 0; j < this.inputDim; j++) {
      const isObs = j < this.splitAt || config.stateOnly;
      lo[j] = isObs ? Math.max(-clip, -3e38) : -3e38;
      hi[j] = isObs ? Math.min(clip, 3e38) : 3e38;
    }
    this.low = tf.tensor2d(lo, [1, this.inputDim]);
    this.high = tf.tensor2d(hi, [1, this.inputDim]);
  }

  /** The clamped input the network sees. */
  clamp(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.minimum(tf.maximum(x, this.low), this.high) as tf.Tensor2D);
  }

  /** The clamp's derivative per coordinate: 1 inside the bounds, 0 where saturated. */
  clampMask(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.cast(tf.logicalAnd(tf.greaterEqual(x, this.low), tf.lessEqual(x, this.high)), 'float32') as tf.Tensor2D);
  }

  /** Logits h [n] of raw input rows x [n, inputDim] (inference: not for differentiating). */
  logits(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.reshape(this.net.apply(this.clamp(x)), [-1]) as tf.Tensor1D);
  }

  /** Logits and ∇_x h [n, inputDim] (through the clamp) of raw rows x; differentiable in the weights. */
  logitsAndInputGradient(x: tf.Tensor2D, kernels: tf.Tensor2D[] = this.net.kernels()): { h: tf.Tensor1D; grad: tf.Tensor2D } {
    return tf.tidy(() => {
      const fwd = this.net.forward(this.clamp(x), kernels);
      const grad = tf.mul(this.net.inputGradient(fwd, kernels), this.clampMask(x)) as tf.Tensor2D;
      return { h: tf.reshape(fwd.out, [-1]) as tf.Tensor1D, grad };
    });
  }

  /**
   * The loss terms on one (E, P) pair as scalars [loss, bce, entropy, penalty, gp norm, expert acc,
   * agent acc]; the loss is differentiable in the weights. `labels` are the expert labels [n_E].
   */
  lossTerms(expert: tf.Tensor2D, agent: tf.Tensor2D, points: tf.Tensor2D | null, labels: tf.Tensor1D | null): tf.Scalar[] {
    const c = this.config;
    const p = c.penalty;
    return tf.tidy(() => {
      const kernels = this.net.kernels();
      const ne = expert.shape[0];
      const np = agent.shape[0];
      const rows = points === null ? [expert, agent] : [expert, agent, points];
      const x = tf.concat(rows, 0) as tf.Tensor2D;
      const fwd = this.net.forward(this.clamp(x), kernels);
      const h = tf.reshape(fwd.out, [-1]);
      const hE = tf.slice(h, 0, ne);
      const hP = tf.slice(h, ne, np);
      const hEP = tf.slice(h, 0, ne + np);
      // BCE with logits: softplus(h) − y·h.
      const yE = labels ?? tf.onesLike(hE);
      const bce = tf.add(tf.mean(tf.sub(tf.softplus(hE), tf.mul(yE, hE))), tf.mean(tf.softplus(hP)));
      // H(σ(h)) = softplus(h) − σ(h)·h.
      const entropy = tf.mean(tf.sub(tf.softplus(hEP), tf.mul(tf.sigmoid(hEP), hEP)));
      let penalty: tf.Scalar = tf.scalar(0);
      let gpNorm: tf.Scalar = tf.scalar(0);
      if (points !== null) {
        const n = points.shape[0];
        const slopes = { out: tf.slice(fwd.out, [ne + np, 0], [n, 1]) as tf.Tensor2D, slopes: fwd.slopes.map((s) => tf.slice(s, [ne + np, 0], [n, s.shape[1]]) as tf.Tensor2D) };
        const grad = tf.mul(this.net.inputGradient(slopes, kernels), this.clampMask(points)) as tf.Tensor2D;
        const norms = gradientNorms(grad);
        penalty = penaltyFromNorms(norms, p.k, p.oneSided);
        gpNorm = tf.mean(norms) as tf.Scalar;
      }
      const loss = tf.add(tf.sub(bce, tf.mul(c.entropyBonus, entropy)), tf.mul(p.lambda, penalty)) as tf.Scalar;
      const accE = tf.mean(tf.cast(tf.greater(hE, 0), 'float32')) as tf.Scalar;
      const accP = tf.mean(tf.cast(tf.lessEqual(hP, 0), 'float32')) as tf.Scalar;
      return [loss, bce as tf.Scalar, entropy as tf.Scalar, penalty, gpNorm, accE, accP];
    });
  }

  /** One gradient step on (E, P); returns the terms of {@link lossTerms} (caller disposes). */
  step(expert: tf.Tensor2D, agent: tf.Tensor2D, rng: Rng): tf.Scalar[] {
    const c = this.config;
    this.net.powerIteration();
    const points = penaltyPoints(c.penalty, expert, agent, this.splitAt, rng);
    let labels: tf.Tensor1D | null = null;
    if (c.labelSmoothing !== null) {
      const [lo, hi] = c.labelSmoothing;
      const ys = new Float32Array(expert.shape[0]);
      for (let i = 0; i < ys.length; i++) ys[i] = rng.uniform(lo, hi);
      labels = tf.tensor1d(ys);
    }
    let terms: tf.Scalar[] = [];
    const { value, grads } = tf.variableGrads(() => {
      terms = this.lossTerms(expert, agent, points, labels);
      // variableGrads disposes what the function returns; keep the metrics alive.
      terms.slice(1).forEach((t) => tf.keep(t));
      return terms[0];
    }, this.net.variables);
    this.optimizer.applyGradients(inOrder(this.net.variables, grads));
    tf.dispose([value, ...Object.values(grads), ...(points === null ? [] : [points]), ...(labels === null ? [] : [labels])]);
    return terms.slice(1);
  }

  /**
   * One call of the discriminator update (see the batching modes above) with all expert rows
   * `expert` [N_E, d] and one agent batch `agent` [n, d]; draws from `rng` only. One backend read.
   */
  train(expert: tf.Tensor2D, agent: tf.Tensor2D, rng: Rng): DiscriminatorMetrics {
    const c = this.config;
    const nE = expert.shape[0];
    const nP = agent.shape[0];
    const mb = Math.min(nE, c.batchSize);
    const batches: Int32Array[] = [];
    if (c.batching === 'epoch') {
      const order = permutation(nE, rng);
      for (let b = 0; b + mb <= nE; b += mb) batches.push(order.slice(b, b + mb));
    } else {
      const idx = new Int32Array(mb);
      for (let i = 0; i < mb; i++) idx[i] = rng.int(nE);
      batches.push(idx);
    }
    const sums: tf.Scalar[] = [];
    for (const idx of batches) {
      const agentOrder = permutation(nP, rng);
      const terms = tf.tidy(() => {
        const e = tf.gather(expert, tf.tensor1d(idx, 'int32')) as tf.Tensor2D;
        const p = tf.gather(agent, tf.tensor1d(agentOrder, 'int32')) as tf.Tensor2D;
        return this.step(e, p, rng);
      });
      if (sums.length === 0) sums.push(...terms);
      else {
        const added = terms.map((t, i) => tf.add(sums[i], t) as tf.Scalar);
        tf.dispose([...sums, ...terms]);
        sums.splice(0, sums.length, ...added);
      }
    }
    const values = tf.tidy(() => tf.stack(sums).dataSync());
    tf.dispose(sums);
    const k = batches.length;
    return {
      d_loss: (values[0] + lossFrom(values, c)) / k,
      d_bce: values[0] / k,
      d_entropy: values[1] / k,
      d_penalty: values[2] / k,
      d_gp_grad_norm: values[3] / k,
      d_expert_acc: values[4] / k,
      d_agent_acc: values[5] / k,
      d_steps: k,
    };
  }

  dispose(): void {
    this.net.dispose();
    this.optimizer.dispose();
    this.low.dispose();
    this.high.dispose();
  }
}

function lossFrom(v: ArrayLike<number>, c: DiscriminatorConfig): number {
  return -c.entropyBonus * v[1] + c.penalty.lambda * v[2];
}

/** A uniformly random permutation of 0..n−1 (Fisher–Yates, draws from `rng`). */
export function permutation(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

export type { PenaltyConfig };
