/**
 * Behavioural cloning: supervised regression of an actor onto expert (s, a) pairs, the standard
 * baseline of imitation learning and the actor pretraining of GAIL.
 *
 * Two losses, on actions a in the learner's [−1, 1]:
 * - 'mse': mean over the batch and the action dimensions of (π(s) − a)², where π(s) is the
 *   deterministic action (tanh(μ) for a 'gaussian-tanh' head, tanh(out) for a 'tanh' head);
 * - 'nll': the negative log-likelihood of a under the tanh-squashed Gaussian of a
 *   'gaussian-tanh' head, −log π(a|s) = Σ_i [½z_i² + log σ_i + ½log 2π + log(1 − a_i²)] with
 *   u = atanh(a), z = (u − μ)/σ, averaged over the batch. Actions are clipped to ±(1 − 1e-6)
 *   first, since an expert saturated at a bound would otherwise have u = ±∞.
 *
 * {@link behaviourCloning} fits any actor in place (GAIL calls it on SAC's actor before
 * training); {@link Bc} is the standalone method behind `imitate bc`.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Cloner, ClonerContext, ClonerEntry, CloningData, CloningProgress } from '../src/cloning.js';
import { Mlp, type MlpSpec } from '../src/nn/mlp.js';
import { deterministicAction, writePolicy, type PolicyHead } from '../src/nn/policy.js';
import type { Rng } from '../src/rng.js';
import { ADAM, gain, layerSizes, optimizerArgs, optimizerSchema, parseLearnerConfig, positiveInt } from './config-schema.js';
import { createOptimizer } from '../src/optim/registry.js';
import { inOrder } from './learner-state.js';

/** The two BC losses. */
export type BcLoss = 'mse' | 'nll';

/** How close to ±1 an action may be before atanh in the 'nll' loss. */
export const NLL_ACTION_CLIP = 1 - 1e-6;

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The BC loss of actor outputs `out` [n, outputDim] against actions `actions` [n, actDim] in
 * [−1, 1], as a scalar tensor (differentiable in `out`).
 */
export function bcLoss(out: tf.Tensor2D, actions: tf.Tensor2D, loss: BcLoss, head: PolicyHead, logStdMin = -20, logStdMax = 2): tf.Scalar {
  return tf.tidy(() => {
    const actDim = actions.shape[1];
    if (loss === 'mse') {
      const mean = head === 'gaussian-tanh' ? tf.slice(out, [0, 0], [-1, actDim]) : out;
      return tf.mean(tf.square(tf.sub(tf.tanh(mean), actions))) as tf.Scalar;
    }
    if (head !== 'gaussian-tanh') throw new Error(`bc: the 'nll' loss needs a 'gaussian-tanh' actor (mean and log std), not a '${head}' one`);
    const [mu, rawLogStd] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const logStd = tf.clipByValue(rawLogStd, logStdMin, logStdMax);
    const a = tf.clipByValue(actions, -NLL_ACTION_CLIP, NLL_ACTION_CLIP);
    const u = tf.atanh(a);
    const zScore = tf.div(tf.sub(u, mu), tf.exp(logStd));
    const perDim = tf.add(tf.add(tf.mul(0.5, tf.square(zScore)), logStd), tf.add(HALF_LOG_2PI, tf.log1p(tf.neg(tf.square(a)))));
    return tf.mean(tf.sum(perDim, 1)) as tf.Scalar;
  });
}

/** Options of {@link behaviourCloning}. */
export interface BehaviourCloningOptions {
  loss: BcLoss;
  /** Gradient steps. */
  steps: number;
  batchSize: number;
  /** Steps the actor's variables; the caller owns it. */
  optimizer: tf.Optimizer;
  /** Shuffles the minibatches (epochs without replacement). */
  rng: Rng;
  logStdMin?: number;
  logStdMax?: number;
  /** Report the loss every this many steps (default: 10 times over the fit). */
  logEvery?: number;
  onProgress?: (p: CloningProgress) => void;
}

/**
 * Fits `actor` (with output head `head`) to `data` in place by minibatch gradient descent on the
 * BC loss. Returns the loss of the last step. Leaves no tensors behind.
 */
export function behaviourCloning(actor: Mlp, head: PolicyHead, data: CloningData, options: BehaviourCloningOptions): CloningProgress {
  const { obsDim, actDim, size } = data;
  const outputDim = actor.spec.outputDim;
  if (actor.spec.inputDim !== obsDim) throw new Error(`bc: the actor takes ${actor.spec.inputDim} inputs, the demonstrations have ${obsDim} observation values`);
  if ((head === 'gaussian-tanh' ? outputDim / 2 : outputDim) !== actDim) throw new Error(`bc: a '${head}' actor with ${outputDim} outputs does not act in ${actDim} dimensions`);
  if (!(size > 0)) throw new Error('bc: no demonstration transitions to fit');
  if (data.obs.length !== size * obsDim || data.actions.length !== size * actDim) throw new Error(`bc: data arrays do not hold ${size} rows`);
  if (options.loss === 'nll' && head !== 'gaussian-tanh') throw new Error(`bc: the 'nll' loss needs a 'gaussian-tanh' actor (mean and log std), not a '${head}' one`);
  const batch = Math.min(options.batchSize, size);
  const logEvery = options.logEvery ?? Math.max(1, Math.floor(options.steps / 10));
  const obs = tf.tensor2d(data.obs, [size, obsDim]);
  const actions = tf.tensor2d(data.actions, [size, actDim]);
  const order = new Int32Array(size).map((_, i) => i);
  let cursor = size;
  let last: CloningProgress = { step: 0, loss: NaN };
  try {
    for (let step = 1; step <= options.steps; step++) {
      // A new shuffle when the epoch runs out; a minibatch never straddles two epochs.
      if (cursor + batch > size) {
        shuffle(order, options.rng);
        cursor = 0;
      }
      const rows = order.slice(cursor, cursor + batch);
      cursor += batch;
      const lossValue = tf.tidy(() => {
        const idx = tf.tensor1d(rows, 'int32');
        const s = tf.gather(obs, idx) as tf.Tensor2D;
        const a = tf.gather(actions, idx) as tf.Tensor2D;
        const { value, grads } = tf.variableGrads(() => bcLoss(actor.apply(s), a, options.loss, head, options.logStdMin, options.logStdMax), actor.variables);
        options.optimizer.applyGradients(inOrder(actor.variables, grads));
        return value;
      });
      if (step % logEvery === 0 || step === options.steps) {
        last = { step, loss: lossValue.dataSync()[0] };
        options.onProgress?.(last);
      }
      lossValue.dispose();
    }
  } finally {
    obs.dispose();
    actions.dispose();
  }
  return last;
}

/** Fisher–Yates with the given stream. */
function shuffle(a: Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

export const bcConfigSchema = z.strictObject({
  loss: z.enum(['mse', 'nll']).default('mse'),
  /** Gradient steps. */
  steps: positiveInt.default(2000),
  batchSize: positiveInt.default(256),
  lr: z.number().positive().default(1e-3),
  optim: z.strictObject({ actor: optimizerSchema.default(ADAM) }).default({ actor: ADAM }),
  /** The actor: SAC's by default, so a BC policy and a SAC policy are interchangeable. */
  actorNet: layerSizes.default([256, 256]),
  activation: z.enum(['relu', 'leaky-relu', 'tanh']).default('relu'),
  layerNorm: z.boolean().default(false),
  init: z
    .strictObject({
      scheme: z.enum(['orthogonal', 'glorot']).default('orthogonal'),
      hiddenGain: gain.default(Math.SQRT2),
      outputGain: gain.default(1),
    })
    .default({ scheme: 'orthogonal', hiddenGain: Math.SQRT2, outputGain: 1 }),
  logStdMin: z.number().default(-20),
  logStdMax: z.number().default(2),
});

export type BcConfig = z.infer<typeof bcConfigSchema>;

/** Validates a (partial) BC config and fills defaults; errors name every bad key. */
export function parseBcConfig(config: unknown): BcConfig {
  const parsed = parseLearnerConfig('bc', bcConfigSchema, ['actor'], config);
  if (!(parsed.logStdMin < parsed.logStdMax)) throw new TypeError('bc config: invalid\n  logStdMin: must be below logStdMax');
  return parsed;
}

/** Standalone BC: a SAC-shaped 'gaussian-tanh' actor fitted with {@link behaviourCloning}. */
export class Bc implements Cloner {
  readonly name = 'bc';
  readonly obsDim: number;
  readonly actDim: number;
  readonly config: BcConfig;
  readonly actor: Mlp;
  private readonly optimizer: tf.Optimizer;
  private readonly batchRng: Rng;

  constructor(config: BcConfig, { obsDim, actDim, rng }: ClonerContext) {
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.config = config;
    const spec: MlpSpec = {
      inputDim: obsDim,
      hidden: config.actorNet,
      outputDim: 2 * actDim,
      activation: config.activation,
      layerNorm: config.layerNorm,
      init: config.init.scheme,
      hiddenGain: config.init.hiddenGain,
      outputGain: config.init.outputGain,
    };
    this.actor = new Mlp(spec, rng.stream('init'), 'actor');
    this.batchRng = rng.stream('batches');
    this.optimizer = createOptimizer(...optimizerArgs(config, 'actor'));
  }

  fit(data: CloningData, options: { onProgress?: (p: CloningProgress) => void } = {}): CloningProgress {
    const c = this.config;
    return behaviourCloning(this.actor, 'gaussian-tanh', data, {
      loss: c.loss,
      steps: c.steps,
      batchSize: c.batchSize,
      optimizer: this.optimizer,
      rng: this.batchRng,
      logStdMin: c.logStdMin,
      logStdMax: c.logStdMax,
      onProgress: options.onProgress,
    });
  }

  act(obs: Float32Array): Float32Array {
    if (obs.length !== this.obsDim) throw new Error(`bc.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    // The same function a loaded policy acts with, so the saved policy reproduces these actions.
    return deterministicAction(this.actor, 'gaussian-tanh', obs);
  }

  async savePolicy(dir: string): Promise<void> {
    await writePolicy(dir, { algo: 'bc', mlp: this.actor, head: 'gaussian-tanh', meta: { loss: this.config.loss, logStdMin: this.config.logStdMin, logStdMax: this.config.logStdMax } });
  }

  dispose(): void {
    this.actor.dispose();
    this.optimizer.dispose();
  }
}

export const bcEntry: ClonerEntry<BcConfig> = {
  name: 'bc',
  description: "behavioural cloning: MSE or Gaussian log-likelihood on a SAC-shaped actor",
  parseConfig: parseBcConfig,
  create: (config, context) => new Bc(config, context),
};
