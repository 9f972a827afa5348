/**
 * TD3 (Fujimoto et al. 2018): a deterministic tanh actor, twin critics with target-policy
 * smoothing, and delayed actor updates; plus the options of the Lipschitz-GAIL paper's base
 * learner (spec/paper-lipschitz-gail.md §1.1, §1.8): a soft-min target mix, a Huber critic loss,
 * LayerNorm, an actor gradient clip, Polyak after every critic update, OU action noise and
 * adaptive parameter noise. Defaults are Stable-Baselines3's TD3; {@link TD3_PAPER_PRESET} is the
 * paper's configuration.
 *
 * One update, with k the number of updates so far (counted after this one):
 * 1. (param noise, every `adaptEvery` updates) perturb a scratch actor copy with the current std,
 *    measure the RMS action distance to the actor on the batch, adapt std (after the sync);
 * 2. ã = clip(μ'(s') + clip(ε, −c, c), −1, 1), ε ~ N(0, σ²);
 *    y = r + discount·(1 − done)·mix(Q'₁(s', ã), Q'₂(s', ã)) — the batch folds n-step returns;
 * 3. one step of the critic optimizer on loss(Q₁(s, a), y) + loss(Q₂(s, a), y);
 * 4. when k % policyDelay = 0: one actor step on −mean Q₁(s, μ(s)), gradient clipped to a global
 *    norm when `actorGradClip` is set;
 * 5. targets: `targetUpdate: 'with-actor'` (SB3, the original TD3) Polyak-averages the actor and
 *    both critic targets only after an actor step; `'every-step'` (the paper's code) averages all
 *    three after every critic step, actor target included.
 * Everything stays on the backend until one read of the metrics at the end.
 *
 * Three details of the paper's code are not reproduced, as none changes a rate or a formula: its
 * actor gradient is taken against the critic before that iteration's critic step (here, as SB3,
 * after it); its delay counts loop iterations of two updates, so the actor steps on both updates
 * of every other iteration (here every policyDelay-th update: the same 1:2 ratio); and it measures
 * the parameter-noise distance on a second replay batch (here the update's own batch).
 * The critics are two separate networks: the nn layer has no batched (stacked) dense layer, and
 * tfjs-wasm sends only plain 2-D matmuls to XNNPACK, so a stacked pair would not be faster.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { assertBatch, type AlgorithmEntry, type Batch, type Learner, type LearnerContext, type UpdateMetrics } from '../src/learner.js';
import { Mlp, type MlpSpec } from '../src/nn/mlp.js';
import { deterministicAction, writePolicy } from '../src/nn/policy.js';
import { polyak } from '../src/nn/polyak.js';
import { prefixed } from '../src/nn/weights-io.js';
import { clipByGlobalNorm, createOptimizer } from '../src/optim/registry.js';
import type { Rng } from '../src/rng.js';
import { ADAM, gain, layerSizes, optimizerArgs, optimizerSchema, parseLearnerConfig, positiveInt } from './config-schema.js';
import { hyperparams } from './hyperparams.js';
import { inOrder, loadLearnerState, saveLearnerState, type LearnerTensors, type StateFileHeader } from './learner-state.js';
import {
  AdaptiveParamNoise,
  createActionNoise,
  rmsActionDistance,
  type ActionNoise,
  type ActionNoiseState,
  type AdaptiveParamNoiseState,
} from './noise.js';

export const td3ConfigSchema = z.strictObject({
  /** Polyak coefficient of the target networks. */
  tau: z.number().min(0).max(1).default(0.005),
  /** Critic updates per actor update. */
  policyDelay: positiveInt.default(2),
  /** Std of the target-policy smoothing noise (0: none). */
  targetPolicyNoise: z.number().min(0).default(0.2),
  /** Clip of the target-policy smoothing noise. */
  targetNoiseClip: z.number().min(0).default(0.5),
  /** 'min' (TD3's clipped double Q) or BCQ's soft minimum w·min + (1 − w)·max. */
  targetMix: z.union([z.literal('min'), z.strictObject({ minWeight: z.number().min(0).max(1) })]).default('min'),
  criticLoss: z.enum(['mse', 'huber']).default('mse'),
  /** δ of the Huber loss (smooth-L1 when 1). */
  huberDelta: z.number().positive().default(1),
  /** When the targets are Polyak-averaged; see the file comment. */
  targetUpdate: z.enum(['with-actor', 'every-step']).default('with-actor'),
  /** LayerNorm after every hidden dense layer of actor and critics. */
  layerNorm: z.boolean().default(false),
  /** Global-norm clip of the actor gradient (null: off). */
  actorGradClip: z.number().positive().nullable().default(null),
  /** SB3's TD3 MlpPolicy default, from the TD3 paper (SB3 uses [256, 256] only behind a CNN). */
  actorNet: layerSizes.default([400, 300]),
  criticNet: layerSizes.default([400, 300]),
  init: z
    .strictObject({
      scheme: z.enum(['orthogonal', 'glorot']).default('orthogonal'),
      hiddenGain: gain.default(Math.SQRT2),
      actorOutputGain: gain.default(1),
      criticOutputGain: gain.default(1),
    })
    .default({ scheme: 'orthogonal', hiddenGain: Math.SQRT2, actorOutputGain: 1, criticOutputGain: 1 }),
  /** Learning rate of every network whose optimizer entry gives none (SB3: learning_rate). */
  lr: z.number().positive().default(1e-3),
  optim: z
    .strictObject({
      actor: optimizerSchema.default(ADAM),
      critic: optimizerSchema.default(ADAM),
    })
    .default({ actor: ADAM, critic: ADAM }),
  /**
   * Additive action noise while exploring (σ in action units, actions in [−1, 1]). SB3's TD3 has
   * none unless given; Gaussian σ 0.1 is what rl-zoo gives it for almost every env.
   */
  actionNoise: z
    .strictObject({
      type: z.enum(['none', 'gaussian', 'ou']),
      sigma: z.number().min(0).default(0.1),
      theta: z.number().min(0).default(0.15),
      dt: z.number().positive().default(0.01),
    })
    .default({ type: 'gaussian', sigma: 0.1, theta: 0.15, dt: 0.01 }),
  /** Adaptive parameter-space noise (null: off). */
  paramNoise: z
    .strictObject({
      initialStd: z.number().positive().default(0.2),
      targetDistance: z.number().positive().default(0.2),
      adaptationCoefficient: z.number().gt(1).default(1.01),
      /** Adapt std every this many updates. */
      adaptEvery: positiveInt.default(1),
    })
    .nullable()
    .default(null),
});

export type Td3Config = z.infer<typeof td3ConfigSchema>;
export type Td3ConfigInput = z.input<typeof td3ConfigSchema>;

/**
 * The paper's base learner (spec §1.1, §1.8): soft-min 0.75, Huber δ = 1, LayerNorm, actor clip 40,
 * delay 2, Polyak τ = 0.005 of all targets after every critic update, smoothing N(0, 0.2²) clipped
 * ±0.5, actor 300-200 / critic 400-300, orthogonal √2 with 0.01 heads, Adam 2.5e-4 for both, OU
 * σ 0.2 (θ 0.15, dt 0.01) plus adaptive parameter noise 0.2 / 0.2 adapted every update.
 * Loop-side settings (γ, batch 64, n = 10, 1e5 buffer, no warm-up) belong to the loop config.
 */
export const TD3_PAPER_PRESET = {
  tau: 0.005,
  policyDelay: 2,
  targetPolicyNoise: 0.2,
  targetNoiseClip: 0.5,
  targetMix: { minWeight: 0.75 },
  criticLoss: 'huber',
  huberDelta: 1,
  targetUpdate: 'every-step',
  layerNorm: true,
  actorGradClip: 40,
  actorNet: [300, 200],
  criticNet: [400, 300],
  init: { scheme: 'orthogonal', hiddenGain: Math.SQRT2, actorOutputGain: 0.01, criticOutputGain: 0.01 },
  lr: 2.5e-4,
  optim: { actor: { name: 'adam' }, critic: { name: 'adam' } },
  actionNoise: { type: 'ou', sigma: 0.2, theta: 0.15, dt: 0.01 },
  paramNoise: { initialStd: 0.2, targetDistance: 0.2, adaptationCoefficient: 1.01, adaptEvery: 1 },
} as const satisfies Td3ConfigInput;

/** Validates a (partial) TD3 config and fills defaults; the error names every bad key. */
export function parseTd3Config(config: unknown): Td3Config {
  return parseLearnerConfig('td3', td3ConfigSchema, ['actor', 'critic'], config);
}

/** State file written next to the weights by saveState. */
interface Td3StateFile extends StateFileHeader {
  updates: number;
  actorUpdates: number;
  rng: ReturnType<Rng['state']>;
  actionNoise: ActionNoiseState | null;
  paramNoise: AdaptiveParamNoiseState | null;
}


export class Td3 implements Learner {
  readonly algo = 'td3';
  readonly obsDim: number;
  readonly actDim: number;
  readonly config: Td3Config;
  readonly actor: Mlp;
  readonly actorTarget: Mlp;
  readonly critics: readonly [Mlp, Mlp];
  readonly criticTargets: readonly [Mlp, Mlp];
  /** The exploring actor under parameter noise (re-drawn at each episode start). */
  readonly perturbedActor: Mlp | null;
  /** Scratch copy perturbed to measure the action distance of the current std. */
  private readonly adaptiveActor: Mlp | null;
  /** Which actor variables parameter noise perturbs (not LayerNorm's). */
  private readonly perturbable: boolean[];
  private readonly actorOptimizer: tf.Optimizer;
  private readonly criticOptimizer: tf.Optimizer;
  private readonly criticVariables: tf.Variable[];
  private readonly actionNoise: ActionNoise | null;
  private readonly paramNoise: AdaptiveParamNoise | null;
  /** Seeds of tfjs random ops. */
  private readonly rng: Rng;
  private updates = 0;
  private actorUpdates = 0;
  private disposed = false;

  constructor(config: Td3Config, context: LearnerContext) {
    const { obsDim, actDim, rng } = context;
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.config = config;
    const initRng = rng.stream('init');
    this.rng = rng.stream('ops');
    const { init, layerNorm } = config;
    const base = { activation: 'relu', layerNorm, init: init.scheme, hiddenGain: init.hiddenGain } as const;
    const actorSpec: MlpSpec = { ...base, inputDim: obsDim, hidden: config.actorNet, outputDim: actDim, outputGain: init.actorOutputGain };
    const criticSpec: MlpSpec = { ...base, inputDim: obsDim + actDim, hidden: config.criticNet, outputDim: 1, outputGain: init.criticOutputGain };
    this.actor = new Mlp(actorSpec, initRng, 'actor');
    this.critics = [new Mlp(criticSpec, initRng, 'critic1'), new Mlp(criticSpec, initRng, 'critic2')];
    this.actorTarget = this.actor.clone('actor_target');
    this.criticTargets = [this.critics[0].clone('critic1_target'), this.critics[1].clone('critic2_target')];
    this.criticVariables = [...this.critics[0].variables, ...this.critics[1].variables];
    this.actorOptimizer = createOptimizer(...optimizerArgs(config, 'actor'));
    this.criticOptimizer = createOptimizer(...optimizerArgs(config, 'critic'));
    this.actionNoise = createActionNoise(config.actionNoise, actDim, rng.stream('action-noise'));
    this.perturbable = this.actor.variableNames.map((n) => !n.startsWith('norm'));
    if (config.paramNoise !== null) {
      this.paramNoise = new AdaptiveParamNoise(config.paramNoise, rng.stream('param-noise'));
      this.perturbedActor = this.actor.clone('actor_perturbed');
      this.adaptiveActor = this.actor.clone('actor_adaptive');
      this.paramNoise.perturb(this.actor.variables, this.perturbedActor.variables, this.perturbable);
    } else {
      this.paramNoise = null;
      this.perturbedActor = null;
      this.adaptiveActor = null;
    }
  }

  /** Updates done so far. */
  get numUpdates(): number {
    return this.updates;
  }

  /** Actor updates done so far. */
  get numActorUpdates(): number {
    return this.actorUpdates;
  }

  /** Current std of the parameter noise (null without it). */
  get paramNoiseStd(): number | null {
    return this.paramNoise?.currentStd ?? null;
  }

  act(obs: Float32Array, mode: 'explore' | 'deterministic'): Float32Array {
    this.assertAlive();
    if (obs.length !== this.obsDim) throw new Error(`td3.act: observation has ${obs.length} values, expected ${this.obsDim}`);
    const explore = mode === 'explore';
    const net = explore && this.perturbedActor !== null ? this.perturbedActor : this.actor;
    const action = deterministicAction(net, 'tanh', obs);
    if (explore && this.actionNoise !== null) {
      const noise = this.actionNoise.sample();
      for (let i = 0; i < action.length; i++) action[i] = Math.min(1, Math.max(-1, action[i] + noise[i]));
    }
    return action;
  }

  onEpisodeStart(): void {
    this.assertAlive();
    this.actionNoise?.reset();
    if (this.paramNoise !== null && this.perturbedActor !== null) {
      this.paramNoise.perturb(this.actor.variables, this.perturbedActor.variables, this.perturbable);
    }
  }

  update(batch: Batch): UpdateMetrics {
    this.assertAlive();
    assertBatch(batch, this.obsDim, this.actDim, 'td3.update');
    const cfg = this.config;
    this.updates += 1;
    const updateActor = this.updates % cfg.policyDelay === 0;
    const adaptNoise = this.paramNoise !== null && (this.updates - 1) % cfg.paramNoise!.adaptEvery === 0;
    const noiseSeed = this.rng.seed();
    const n = batch.size;
    const { obsDim, actDim } = this;

    // The critic's Q mean is computed inside the gradient closure; kept out of its tidy here.
    const kept: { qMean?: tf.Scalar } = {};
    const packed = tf.tidy(() => {
      const obs = tf.tensor2d(batch.obs, [n, obsDim]);
      const actions = tf.tensor2d(batch.actions, [n, actDim]);
      const nextObs = tf.tensor2d(batch.nextObs, [n, obsDim]);
      const rewards = tf.tensor2d(batch.rewards, [n, 1]);
      const discounts = tf.tensor2d(batch.discounts, [n, 1]);
      const dones = tf.tensor2d(batch.dones, [n, 1]);
      const out: tf.Scalar[] = [];

      // 1. Parameter-noise adaptation measures the pre-update actor.
      let distance: tf.Scalar | null = null;
      if (adaptNoise) {
        this.paramNoise!.perturb(this.actor.variables, this.adaptiveActor!.variables, this.perturbable);
        distance = rmsActionDistance(tf.tanh(this.actor.apply(obs)), tf.tanh(this.adaptiveActor!.apply(obs)));
      }

      // 2. The target, a constant for the critic loss.
      let nextActions: tf.Tensor2D = tf.tanh(this.actorTarget.apply(nextObs));
      if (cfg.targetPolicyNoise > 0) {
        const eps = tf.randomNormal([n, actDim], 0, cfg.targetPolicyNoise, 'float32', noiseSeed);
        nextActions = tf.clipByValue(tf.add(nextActions, tf.clipByValue(eps, -cfg.targetNoiseClip, cfg.targetNoiseClip)), -1, 1) as tf.Tensor2D;
      }
      const nextInput = tf.concat([nextObs, nextActions], 1);
      const q1Next = this.criticTargets[0].apply(nextInput);
      const q2Next = this.criticTargets[1].apply(nextInput);
      const lower = tf.minimum(q1Next, q2Next);
      const mixed =
        cfg.targetMix === 'min'
          ? lower
          : tf.add(tf.mul(cfg.targetMix.minWeight, lower), tf.mul(1 - cfg.targetMix.minWeight, tf.maximum(q1Next, q2Next)));
      const y = tf.add(rewards, tf.mul(tf.mul(discounts, tf.sub(1, dones)), mixed));

      // 3. Critic step.
      const input = tf.concat([obs, actions], 1);
      const critic = tf.variableGrads(() => {
        const q1 = this.critics[0].apply(input);
        const q2 = this.critics[1].apply(input);
        kept.qMean = tf.keep(tf.mean(q1) as tf.Scalar);
        return tf.add(this.criticLossOf(q1, y), this.criticLossOf(q2, y)) as tf.Scalar;
      }, this.criticVariables);
      this.criticOptimizer.applyGradients(inOrder(this.criticVariables, critic.grads));
      out.push(critic.value, kept.qMean!);

      // 4. Delayed actor step, against the updated critic (as SB3 and the TD3 paper).
      let actorLoss: tf.Scalar | null = null;
      let actorGradNorm: tf.Scalar | null = null;
      if (updateActor) {
        const actor = tf.variableGrads(
          () => tf.neg(tf.mean(this.critics[0].apply(tf.concat([obs, tf.tanh(this.actor.apply(obs))], 1)))) as tf.Scalar,
          this.actor.variables,
        );
        let grads = actor.grads;
        if (cfg.actorGradClip !== null) {
          const clipped = clipByGlobalNorm(grads, cfg.actorGradClip);
          grads = clipped.grads;
          actorGradNorm = clipped.norm;
        }
        this.actorOptimizer.applyGradients(inOrder(this.actor.variables, grads));
        actorLoss = actor.value;
      }

      // 5. Targets.
      if (cfg.targetUpdate === 'every-step' || updateActor) {
        polyak(this.criticTargets[0].variables, this.critics[0].variables, cfg.tau);
        polyak(this.criticTargets[1].variables, this.critics[1].variables, cfg.tau);
        polyak(this.actorTarget.variables, this.actor.variables, cfg.tau);
      }

      const zero = tf.scalar(0);
      out.push(actorLoss ?? zero, actorGradNorm ?? zero, distance ?? zero);
      return tf.stack(out);
    });
    kept.qMean?.dispose();
    const values = packed.dataSync();
    packed.dispose();

    const metrics: UpdateMetrics = { critic_loss: values[0], q_mean: values[1] };
    if (updateActor) {
      this.actorUpdates += 1;
      metrics.actor_loss = values[2];
      if (cfg.actorGradClip !== null) metrics.actor_grad_norm = values[3];
    }
    if (this.paramNoise !== null) {
      if (adaptNoise) {
        metrics.param_noise_distance = values[4];
        this.paramNoise.adapt(values[4]);
      }
      metrics.param_noise_std = this.paramNoise.currentStd;
    }
    return metrics;
  }

  async saveState(dir: string): Promise<void> {
    this.assertAlive();
    await saveLearnerState(dir, 'td3', this.tensors(), {
      ...this.stateHeader(),
      updates: this.updates,
      actorUpdates: this.actorUpdates,
      rng: this.rng.state(),
      actionNoise: this.actionNoise?.state() ?? null,
      paramNoise: this.paramNoise?.state() ?? null,
    } satisfies Td3StateFile);
  }

  async loadState(dir: string): Promise<void> {
    this.assertAlive();
    const state = await loadLearnerState<Td3StateFile>(dir, 'td3', this.tensors(), this.stateHeader());
    this.updates = state.updates;
    this.actorUpdates = state.actorUpdates;
    this.rng.setState(state.rng);
    if (this.actionNoise !== null && state.actionNoise !== null) this.actionNoise.setState(state.actionNoise);
    if (this.paramNoise !== null && state.paramNoise !== null) this.paramNoise.setState(state.paramNoise);
  }

  async savePolicy(dir: string): Promise<void> {
    this.assertAlive();
    await writePolicy(dir, { algo: 'td3', mlp: this.actor, head: 'tanh' });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const net of this.networks()) net.dispose();
    this.actorOptimizer.dispose();
    this.criticOptimizer.dispose();
  }

  private networks(): Mlp[] {
    const nets = [this.actor, this.actorTarget, ...this.critics, ...this.criticTargets];
    if (this.perturbedActor !== null) nets.push(this.perturbedActor);
    if (this.adaptiveActor !== null) nets.push(this.adaptiveActor);
    return nets;
  }

  /** Every network variable that a resume needs, with stable names. */
  /** Every variable and optimizer a checkpoint holds, by stable names. */
  private tensors(): LearnerTensors {
    // The scratch actor is re-drawn before each use, so it is not state.
    const variables = this.networks()
      .filter((net) => net !== this.adaptiveActor)
      .flatMap((net) => prefixed(net.name, net.variableNames, net.variables));
    return { variables, optimizers: [['actor_optimizer', this.actorOptimizer], ['critic_optimizer', this.criticOptimizer]] };
  }

  private stateHeader(): StateFileHeader {
    return { format: 'imitate-td3-state', version: 1, obsDim: this.obsDim, actDim: this.actDim, config: this.config };
  }

  private criticLossOf(q: tf.Tensor2D, y: tf.Tensor): tf.Scalar {
    if (this.config.criticLoss === 'mse') return tf.mean(tf.squaredDifference(q, y)) as tf.Scalar;
    // Huber: 0.5·e² for |e| ≤ δ, δ·(|e| − 0.5·δ) beyond; quadratic part min(|e|, δ).
    const delta = this.config.huberDelta;
    const abs = tf.abs(tf.sub(q, y));
    const quadratic = tf.minimum(abs, delta);
    return tf.mean(tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, tf.sub(abs, quadratic)))) as tf.Scalar;
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('td3: learner was disposed');
  }
}

export const td3Entry: AlgorithmEntry<Td3Config> = {
  name: 'td3',
  description: 'TD3: twin critics, target smoothing, delayed actor (SB3 defaults; TD3_PAPER_PRESET = the Lipschitz-GAIL base learner)',
  parseConfig: parseTd3Config,
  create: (config, context) => new Td3(config, context),
  tunedDefaults: (envId) => hyperparams('td3', envId),
};
