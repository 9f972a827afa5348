/**
 * Soft Actor-Critic (Haarnoja et al. 2018, with the learned temperature of the second paper), as
 * Stable-Baselines3 runs it: a tanh-squashed Gaussian actor, twin critics with Polyak-averaged
 * targets, and an entropy coefficient α learned towards the target entropy −actDim.
 *
 * One update, in SB3's order and with its semantics:
 *   1. α_old = exp(log α) (a constant for this update);
 *   2. y = r + γ^k·(1 − done)·(min Q̄(s', a') − α_old·log π(a'|s')), a' ~ π(·|s');
 *   3. critic step on ½·(MSE(Q1, y) + MSE(Q2, y));
 *   4. actor step on mean(α_old·log π(a|s) − min(Q1, Q2)(s, a)) with the updated critics;
 *   5. α step on −log α·(log π + H̄) (SB3 takes it first, but nothing else in the update reads the
 *      new α, so the order does not matter; taking it last reuses the actor's log π);
 *   6. Polyak τ on the critic targets every `targetUpdateInterval` updates.
 * Both critics are separate networks: a batched [2, …] matmul would leave XNNPACK's fast path
 * (batch 1 only) and was 13× slower than two plain matmuls on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { assertBatch, type AlgorithmEntry, type Batch, type Learner, type LearnerContext, type UpdateMetrics } from '../src/learner.js';
import { Mlp, type MlpSpec } from '../src/nn/mlp.js';
import { deterministicAction, writePolicy } from '../src/nn/policy.js';
import { polyak } from '../src/nn/polyak.js';
import { prefixed } from '../src/nn/weights-io.js';
import { createOptimizer } from '../src/optim/registry.js';
import type { Rng, RngState } from '../src/rng.js';
import { ADAM, gain, layerSizes, optimizerArgs, optimizerSchema, parseLearnerConfig, positiveInt } from './config-schema.js';
import { hyperparams } from './hyperparams.js';
import { inOrder, loadLearnerState, saveLearnerState, type LearnerTensors, type StateFileHeader } from './learner-state.js';

export const sacConfigSchema = z
  .strictObject({
    /** Learning rate of every network whose optimizer entry gives none (SB3: learning_rate). */
    lr: z.number().positive().default(3e-4),
    optim: z
      .strictObject({
        actor: optimizerSchema.default(ADAM),
        critic: optimizerSchema.default(ADAM),
        alpha: optimizerSchema.default(ADAM),
      })
      .default({ actor: ADAM, critic: ADAM, alpha: ADAM }),
    /** Polyak coefficient of the critic targets. */
    tau: z.number().min(0).max(1).default(0.005),
    actorNet: layerSizes.default([256, 256]),
    criticNet: layerSizes.default([256, 256]),
    activation: z.enum(['relu', 'leaky-relu', 'tanh']).default('relu'),
    /** LayerNorm after every hidden dense layer of actor and critics. */
    layerNorm: z.boolean().default(false),
    init: z
      .strictObject({
        scheme: z.enum(['orthogonal', 'glorot']).default('orthogonal'),
        hiddenGain: gain.default(Math.SQRT2),
        actorOutputGain: gain.default(1),
        criticOutputGain: gain.default(1),
      })
      .default({ scheme: 'orthogonal', hiddenGain: Math.SQRT2, actorOutputGain: 1, criticOutputGain: 1 }),
    /** The entropy coefficient α: learned ('auto') or fixed. */
    entCoef: z.union([z.literal('auto'), z.number().positive()]).default('auto'),
    /** α's initial value when learned. */
    initEntCoef: z.number().positive().default(1),
    /** Entropy target when α is learned; 'auto' is −actDim. */
    targetEntropy: z.union([z.literal('auto'), z.number()]).default('auto'),
    /** Polyak-update the targets every this many updates. */
    targetUpdateInterval: positiveInt.default(1),
    /**
     * Temporal correlation ρ of the exploration noise of act(): ε_t = ρ·ε_{t−1} + √(1 − ρ²)·ξ_t,
     * unit variance, so each action is still a draw from the policy's Gaussian, but consecutive
     * draws push the same way (colored-noise exploration, Eberhard et al. 2023). 0 is white noise
     * (SB3). Re-drawn at each episode start; training is unaffected.
     */
    noiseCorrelation: z.number().min(0).lt(1).default(0),
    /** Clip of the actor's log σ output. */
    logStdMin: z.number().default(-20),
    logStdMax: z.number().default(2),
  })
  .refine((c) => c.logStdMin < c.logStdMax, { error: 'logStdMin must be below logStdMax', path: ['logStdMin'] });

export type SacConfig = z.infer<typeof sacConfigSchema>;
export type SacConfigInput = z.input<typeof sacConfigSchema>;

/** Validates a (partial) SAC config, fills defaults and checks each optimizer's options; errors name every bad key. */
export function parseSacConfig(config: unknown): SacConfig {
  return parseLearnerConfig('sac', sacConfigSchema, ['actor', 'critic', 'alpha'], config);
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Samples the tanh-squashed Gaussian whose parameters are `out` = [μ, log σ] (log σ clipped to
 * [logStdMin, logStdMax]) with the standard-normal draws `eps` (reparameterised, so gradients
 * reach μ and log σ). Returns a = tanh(μ + σ·ε) and its log-density, [batch, 1]:
 *   log π(a) = Σ_i [log N(u_i; μ_i, σ_i) − log(1 − tanh²(u_i))],
 * with log(1 − tanh²(u)) = 2·(log 2 − u − softplus(−2u)), exact and stable for any u. The Gaussian
 * term is written with ε = (u − μ)/σ directly, which has the same value and gradients.
 */
export function squashedGaussian(
  out: tf.Tensor2D,
  eps: tf.Tensor2D,
  logStdMin = -20,
  logStdMax = 2,
): { action: tf.Tensor2D; logProb: tf.Tensor2D } {
  return tf.tidy(() => {
    const [mu, rawLogStd] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const logStd = tf.clipByValue(rawLogStd, logStdMin, logStdMax);
    const u = tf.add(mu, tf.mul(tf.exp(logStd), eps));
    const action = tf.tanh(u) as tf.Tensor2D;
    const gaussian = tf.sub(tf.mul(-0.5, tf.square(eps)), logStd);
    const squash = tf.mul(2, tf.sub(tf.sub(Math.LN2, u), tf.softplus(tf.mul(-2, u))));
    const logProb = tf.sub(tf.sum(tf.sub(gaussian, squash), 1, true), eps.shape[1] * HALF_LOG_2PI) as tf.Tensor2D;
    return { action, logProb };
  });
}

/** What sac-state.json holds next to the weights. */
interface SacStateFile extends StateFileHeader {
  updates: number;
  rng: { update: RngState; explore: RngState };
  /** The correlated exploration noise's current ε (null: re-drawn at the next act). */
  noise: number[] | null;
}


export class Sac implements Learner {
  readonly algo = 'sac';
  readonly obsDim: number;
  readonly actDim: number;
  readonly config: SacConfig;
  readonly actor: Mlp;
  readonly critics: readonly [Mlp, Mlp];
  readonly criticTargets: readonly [Mlp, Mlp];
  /** log α when α is learned, else null. */
  readonly logAlpha: tf.Variable | null;
  readonly targetEntropy: number;
  private readonly actorOptimizer: tf.Optimizer;
  private readonly criticOptimizer: tf.Optimizer;
  private readonly alphaOptimizer: tf.Optimizer | null;
  private readonly criticVariables: tf.Variable[];
  private readonly targetVariables: tf.Variable[];
  /** Seeds of the update's tfjs random ops. */
  private readonly updateRng: Rng;
  /** Exploration noise of act(). */
  private readonly exploreRng: Rng;
  /** Current ε of the correlated exploration noise (null: draw a fresh one). */
  private noise: Float64Array | null = null;
  private updates = 0;
  private disposed = false;

  constructor(config: SacConfig, { obsDim, actDim, rng }: LearnerContext) {
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.config = config;
    const initRng = rng.stream('init');
    this.updateRng = rng.stream('update');
    this.exploreRng = rng.stream('explore');
    const { init, activation, layerNorm } = config;
    const base = { activation, layerNorm, init: init.scheme, hiddenGain: init.hiddenGain };
    const actorSpec: MlpSpec = { ...base, inputDim: obsDim, hidden: config.actorNet, outputDim: 2 * actDim, outputGain: init.actorOutputGain };
    const criticSpec: MlpSpec = { ...base, inputDim: obsDim + actDim, hidden: config.criticNet, outputDim: 1, outputGain: init.criticOutputGain };
    this.actor = new Mlp(actorSpec, initRng, 'actor');
    this.critics = [new Mlp(criticSpec, initRng, 'critic1'), new Mlp(criticSpec, initRng, 'critic2')];
    this.criticTargets = [this.critics[0].clone('critic1_target'), this.critics[1].clone('critic2_target')];
    this.criticVariables = [...this.critics[0].variables, ...this.critics[1].variables];
    this.targetVariables = [...this.criticTargets[0].variables, ...this.criticTargets[1].variables];
    this.targetEntropy = config.targetEntropy === 'auto' ? -actDim : config.targetEntropy;
    this.actorOptimizer = createOptimizer(...optimizerArgs(config, 'actor'));
    this.criticOptimizer = createOptimizer(...optimizerArgs(config, 'critic'));
    if (config.entCoef === 'auto') {
      this.logAlpha = tf.tidy(() => tf.variable(tf.scalar(Math.log(config.initEntCoef)), true));
      this.alphaOptimizer = createOptimizer(...optimizerArgs(config, 'alpha'));
    } else {
      this.logAlpha = null;
      this.alphaOptimizer = null;
    }
  }

  /** Updates done so far. */
  get numUpdates(): number {
    return this.updates;
  }

  /** The current entropy coefficient α (reads the backend when learned). */
  get alpha(): number {
    return this.logAlpha === null ? (this.config.entCoef as number) : Math.exp(this.logAlpha.dataSync()[0]);
  }

  act(obs: Float32Array, mode: 'explore' | 'deterministic'): Float32Array {
    this.assertAlive();
    if (obs.length !== this.obsDim) throw new Error(`sac.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    const { actDim } = this;
    if (mode === 'deterministic') return deterministicAction(this.actor, 'gaussian-tanh', obs);
    // One forward pass (from the heap on the native path); sampling one action is cheaper in JavaScript.
    const values = this.actor.forwardOne(obs);
    const { logStdMin, logStdMax } = this.config;
    const action = new Float32Array(actDim);
    const eps = this.nextNoise();
    for (let i = 0; i < actDim; i++) {
      const logStd = Math.min(logStdMax, Math.max(logStdMin, values[actDim + i]));
      action[i] = Math.tanh(values[i] + Math.exp(logStd) * eps[i]);
    }
    return action;
  }

  onEpisodeStart(): void {
    this.assertAlive();
    this.noise = null;
  }

  /** The next standard-normal ε of act(): white, or AR(1)-correlated with noiseCorrelation. */
  private nextNoise(): Float64Array {
    const rho = this.config.noiseCorrelation;
    const rng = this.exploreRng;
    if (rho === 0 || this.noise === null) {
      const fresh = Float64Array.from({ length: this.actDim }, () => rng.normal());
      if (rho !== 0) this.noise = fresh;
      return fresh;
    }
    const keep = Math.sqrt(1 - rho * rho);
    for (let i = 0; i < this.actDim; i++) this.noise[i] = rho * this.noise[i] + keep * rng.normal();
    return this.noise;
  }

  update(batch: Batch): UpdateMetrics {
    this.assertAlive();
    assertBatch(batch, this.obsDim, this.actDim, 'sac.update');
    const cfg = this.config;
    this.updates += 1;
    const nextSeed = this.updateRng.seed();
    const seed = this.updateRng.seed();
    const n = batch.size;
    const { obsDim, actDim } = this;
    const learnAlpha = this.logAlpha !== null;

    // The mean log π of the actor step is needed after its gradient closure (α step, metrics).
    const kept: { meanLogProb?: tf.Scalar } = {};
    let packed: tf.Tensor1D;
    try {
      packed = tf.tidy(() => {
        const obs = tf.tensor2d(batch.obs, [n, obsDim]);
        const actions = tf.tensor2d(batch.actions, [n, actDim]);
        const nextObs = tf.tensor2d(batch.nextObs, [n, obsDim]);
        const rewards = tf.tensor2d(batch.rewards, [n, 1]);
        const discounts = tf.tensor2d(batch.discounts, [n, 1]);
        const dones = tf.tensor2d(batch.dones, [n, 1]);
        // 1. α for this update, a constant.
        const alpha = this.logAlpha !== null ? tf.exp(this.logAlpha) : tf.scalar(cfg.entCoef as number);

        // 2. The soft target.
        const next = squashedGaussian(this.actor.apply(nextObs), tf.randomNormal([n, actDim], 0, 1, 'float32', nextSeed) as tf.Tensor2D, cfg.logStdMin, cfg.logStdMax);
        const nextInput = tf.concat([nextObs, next.action], 1);
        const nextQ = tf.minimum(this.criticTargets[0].apply(nextInput), this.criticTargets[1].apply(nextInput));
        const y = tf.add(rewards, tf.mul(tf.mul(discounts, tf.sub(1, dones)), tf.sub(nextQ, tf.mul(alpha, next.logProb))));

        // 3. Critic step.
        const input = tf.concat([obs, actions], 1);
        const critic = tf.variableGrads(() => {
          const e1 = tf.sub(this.critics[0].apply(input), y);
          const e2 = tf.sub(this.critics[1].apply(input), y);
          return tf.mul(0.5, tf.add(tf.mean(tf.square(e1)), tf.mean(tf.square(e2)))) as tf.Scalar;
        }, this.criticVariables);
        this.criticOptimizer.applyGradients(inOrder(this.criticVariables, critic.grads));

        // 4. Actor step against the updated critics.
        const eps = tf.randomNormal([n, actDim], 0, 1, 'float32', seed) as tf.Tensor2D;
        const actor = tf.variableGrads(() => {
          const { action, logProb } = squashedGaussian(this.actor.apply(obs), eps, cfg.logStdMin, cfg.logStdMax);
          kept.meanLogProb = tf.keep(tf.mean(logProb) as tf.Scalar);
          const piInput = tf.concat([obs, action], 1);
          const q = tf.minimum(this.critics[0].apply(piInput), this.critics[1].apply(piInput));
          return tf.mean(tf.sub(tf.mul(alpha, logProb), q)) as tf.Scalar;
        }, this.actor.variables);
        this.actorOptimizer.applyGradients(inOrder(this.actor.variables, actor.grads));
        const meanLogProb = kept.meanLogProb!;

        // 5. α step: d/d log α of −log α·(log π + H̄) is −(mean log π + H̄).
        const out: tf.Tensor[] = [critic.value, actor.value, alpha, tf.neg(meanLogProb)];
        if (this.logAlpha !== null) {
          const pressure = tf.add(meanLogProb, this.targetEntropy);
          out.push(tf.neg(tf.mul(this.logAlpha, pressure)));
          this.alphaOptimizer!.applyGradients([{ name: this.logAlpha.name, tensor: tf.neg(pressure) }]);
        }

        // 6. Targets.
        if (this.updates % cfg.targetUpdateInterval === 0) polyak(this.targetVariables, this.criticVariables, cfg.tau);
        return tf.stack(out) as tf.Tensor1D;
      });
    } finally {
      kept.meanLogProb?.dispose();
    }
    const values = packed.dataSync();
    packed.dispose();
    const metrics: UpdateMetrics = { critic_loss: values[0], actor_loss: values[1], ent_coef: values[2], entropy: values[3] };
    if (learnAlpha) metrics.ent_coef_loss = values[4];
    return metrics;
  }

  async saveState(dir: string): Promise<void> {
    this.assertAlive();
    await saveLearnerState(dir, 'sac', this.tensors(), {
      ...this.stateHeader(),
      updates: this.updates,
      rng: { update: this.updateRng.state(), explore: this.exploreRng.state() },
      noise: this.noise === null ? null : Array.from(this.noise),
    } satisfies SacStateFile);
  }

  async loadState(dir: string): Promise<void> {
    this.assertAlive();
    const state = await loadLearnerState<SacStateFile>(dir, 'sac', this.tensors(), this.stateHeader());
    this.updates = state.updates;
    this.updateRng.setState(state.rng.update);
    this.exploreRng.setState(state.rng.explore);
    this.noise = state.noise === null || state.noise === undefined ? null : Float64Array.from(state.noise);
  }

  async savePolicy(dir: string): Promise<void> {
    this.assertAlive();
    await writePolicy(dir, { algo: 'sac', mlp: this.actor, head: 'gaussian-tanh' });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const m of [this.actor, ...this.critics, ...this.criticTargets]) m.dispose();
    this.logAlpha?.dispose();
    for (const [, opt] of this.optimizers()) opt.dispose();
  }

  /** Every variable and optimizer a checkpoint holds, by stable names. */
  private tensors(): LearnerTensors {
    const nets: Mlp[] = [this.actor, ...this.critics, ...this.criticTargets];
    const variables = nets.flatMap((m) => prefixed(m.name, m.variableNames, m.variables));
    if (this.logAlpha !== null) variables.push({ name: 'log_alpha', variable: this.logAlpha });
    return { variables, optimizers: this.optimizers() };
  }

  private stateHeader(): StateFileHeader {
    return { format: 'imitate-sac-state', version: 1, obsDim: this.obsDim, actDim: this.actDim, config: this.config };
  }

  private optimizers(): [string, tf.Optimizer][] {
    const out: [string, tf.Optimizer][] = [['actor_optimizer', this.actorOptimizer], ['critic_optimizer', this.criticOptimizer]];
    if (this.alphaOptimizer !== null) out.push(['alpha_optimizer', this.alphaOptimizer]);
    return out;
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('sac: learner was disposed');
  }
}

export const sacEntry: AlgorithmEntry<SacConfig> = {
  name: 'sac',
  description: 'SAC: tanh-Gaussian actor, twin critics, learned entropy coefficient (SB3 defaults)',
  parseConfig: parseSacConfig,
  create: (config, context) => new Sac(config, context),
  tunedDefaults: (envId) => hyperparams('sac', envId),
};
