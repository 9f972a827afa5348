/**
 * Off-policy GAIL as a training extension (src/train/extension.ts): the learner (SAC or TD3) is
 * unchanged and never knows its reward's source.
 * - Rewards: every time the loop samples the buffer, each row of each n-step window gets
 *   κ·r_D(s, a) from the current discriminator (the paper's "historical patching", §1.4).
 * - Storage: truly terminal steps become the absorbing pair (agents/gail/absorbing.ts).
 * - After each learner update (every `updateEvery`): one discriminator call on a fresh uniform
 *   agent batch (see discriminator.ts for the paper's batching), and one forward-model step when
 *   PURPLE or monitoring needs it.
 * - Each metrics row: ‖∇h‖ statistics, Jacobian-norm estimates, γ²C and its valid share, mean κ.
 * - Each evaluation: the normalized score (R − R_random)/(R_expert − R_random) in eval.csv.
 * - Checkpoints: discriminator (weights, SN vectors), its optimizer, the forward model and its
 *   optimizer, the row kinds, the preconditioner's window, in the extension's directory; the
 *   extension's random stream is saved by the loop.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplayBuffer, RewardFn } from '../../src/buffer.js';
import type { Learner, UpdateMetrics } from '../../src/learner.js';
import { assignWeights, loadWeights, saveWeights } from '../../src/nn/weights-io.js';
import { optimizerState, setOptimizerState } from '../../src/optim/registry.js';
import type { Rng } from '../../src/rng.js';
import { writeFileAtomicAsync } from '../../src/atomic-file.js';
import type { EvalResult } from '../../src/train/checkpoint.js';
import type { ExtensionContext, ExtensionEntry, StepTransition, TrainingExtension } from '../../src/train/extension.js';
import { AbsorbingBook, discriminatorInputs, expertRows, inputDims, inputWidth, type InputLayout } from './absorbing.js';
import { parseGailConfig, type GailConfig } from './config.js';
import { Discriminator } from './discriminator.js';
import { expertFromPolicy, loadExpertFile, normalizedScore, validateExpert, type ExpertContext, type ExpertTransitions } from './expert.js';
import { ForwardModel } from './forward-model.js';
import { gamma2C, policyJacobianProxy, summary } from './monitor.js';
import { gradientNorms } from './penalty.js';
import { checkKappa, Purple, RewardGradient, type Preconditioner } from './precondition.js';
import { rewardFromLogit } from './reward.js';
import { gailTunedDefaults } from './tuned.js';

const STATE_FORMAT = 'imitate-gail-state';

/** Where a GAIL run's expert data comes from: the config's source, unless given directly. */
export async function resolveExpert(config: GailConfig, context: ExpertContext, seed: number): Promise<ExpertTransitions> {
  const e = config.expert;
  // The single call site of the demonstrations layer (through its registered loader).
  if (e.source === 'file') return loadExpertFile(e.path, context, e.numDemos, seed);
  return expertFromPolicy(e.path, context, { episodes: e.episodes, subsample: e.subsample, seed, randomEpisodes: e.randomEpisodes });
}

export class Gail implements TrainingExtension {
  readonly config: GailConfig;
  readonly discriminator: Discriminator;
  readonly forwardModel: ForwardModel | null;
  readonly preconditioner: Preconditioner | null;
  readonly book: AbsorbingBook;
  readonly layout: InputLayout;
  /** The (s, a) layout, for the forward model and preconditioners, whatever D's input is. */
  private readonly saLayout: InputLayout;
  private readonly expertTensor: tf.Tensor2D;
  private updates = 0;
  private kappaSum = 0;
  private kappaCount = 0;
  readonly rewardFn: RewardFn;
  readonly paperNStepQuirk: boolean;

  constructor(config: GailConfig, readonly expert: ExpertTransitions, private readonly ctx: ExtensionContext, preconditioner?: Preconditioner) {
    this.config = config;
    const rng = ctx.rng;
    this.layout = { obsDim: ctx.obsDim, actDim: ctx.actDim, absorbing: config.absorbing, stateOnly: config.discriminator.stateOnly };
    this.saLayout = { ...this.layout, stateOnly: false };
    this.discriminator = new Discriminator(config.discriminator, inputDims(this.layout), rng);
    const needModel = config.monitor.enabled || config.precondition.type === 'purple';
    const dims = inputDims(this.layout);
    this.forwardModel = needModel ? new ForwardModel(dims.obsDim + dims.actDim, dims.obsDim, config.forwardModel, rng) : null;
    const p = config.precondition;
    if (preconditioner !== undefined) this.preconditioner = preconditioner;
    else if (p.type === 'purple') this.preconditioner = new Purple(this.forwardModel!, p.kf, p.floor ?? 0.7, p.window);
    else if (p.type === 'reward-grad') this.preconditioner = new RewardGradient(this.discriminator, p.k, p.floor ?? 0, p.window);
    else this.preconditioner = null;
    this.book = new AbsorbingBook(ctx.config.bufferSize, config.absorbing, config.paperQuirks.timeLimitTerminal);
    this.paperNStepQuirk = config.paperQuirks.nStepTerminal;
    const rows = expertRows(expert.terminated, config.absorbing);
    const n = rows.source.length;
    const o = expert.obsDim;
    const a = expert.actDim;
    const pick = (src: Float32Array, d: number) => {
      const out = new Float32Array(n * d);
      rows.source.forEach((r, i) => out.set(src.subarray(r * d, r * d + d), i * d));
      return out;
    };
    const [eo, ea, en] = [pick(expert.obs, o), pick(expert.actions, a), pick(expert.nextObs, o)];
    this.expertTensor = tf.tensor2d(discriminatorInputs(this.layout, eo, ea, en, n, (i) => rows.kinds[i]), [n, inputWidth(this.layout)]);
    this.rewardFn = (obs, actions, nextObs, count, bufferRows) => this.rewards(obs, actions, nextObs, count, (i) => this.book.kinds[bufferRows[i]]);
  }

  /** κ·r_D for `count` learner-side rows whose kinds `kind(i)` gives. */
  rewards(obs: Float32Array, actions: Float32Array, nextObs: Float32Array, count: number, kind: (i: number) => number): Float32Array {
    const x = tf.tensor2d(discriminatorInputs(this.layout, obs, actions, nextObs, count, kind), [count, inputWidth(this.layout)]);
    try {
      const r = tf.tidy(() => rewardFromLogit(this.discriminator.logits(x), this.config.reward).dataSync() as Float32Array);
      if (this.preconditioner === null) return r;
      const sa = this.layout.stateOnly ? tf.tensor2d(discriminatorInputs(this.saLayout, obs, actions, nextObs, count, kind), [count, inputWidth(this.saLayout)]) : x;
      try {
        const kappa = this.preconditioner.kappa(sa);
        checkKappa(kappa, count, this.preconditioner.name);
        for (let i = 0; i < count; i++) {
          r[i] *= kappa[i];
          this.kappaSum += kappa[i];
        }
        this.kappaCount += count;
      } finally {
        if (sa !== x) sa.dispose();
      }
      return r;
    } finally {
      x.dispose();
    }
  }

  store(buffer: ReplayBuffer, step: StepTransition): void {
    this.book.store(buffer, step);
  }

  afterUpdate(buffer: ReplayBuffer): UpdateMetrics {
    this.updates += 1;
    if (this.updates % this.config.updateEvery !== 0) return {};
    const rng: Rng = this.ctx.rng;
    const batch = buffer.sample(this.config.discriminator.batchSize, rng, { nStep: 1 });
    const kind = (i: number) => this.book.kinds[batch.indices[i]];
    const agent = tf.tensor2d(discriminatorInputs(this.layout, batch.obs, batch.actions, batch.nextObs, batch.size, kind), [batch.size, inputWidth(this.layout)]);
    const metrics: UpdateMetrics = { ...this.discriminator.train(this.expertTensor, agent, rng) };
    agent.dispose();
    if (this.forwardModel !== null) {
      const sa = discriminatorInputs(this.saLayout, batch.obs, batch.actions, batch.nextObs, batch.size, kind);
      const ss = discriminatorInputs({ ...this.layout, stateOnly: true }, batch.obs, batch.actions, batch.nextObs, batch.size, kind);
      const w = inputWidth(this.saLayout);
      const o = inputDims(this.layout).obsDim;
      metrics.fm_loss = tf.tidy(() => {
        const x = tf.tensor2d(sa, [batch.size, w]);
        const target = tf.slice(tf.tensor2d(ss, [batch.size, 2 * o]), [0, o], [batch.size, o]) as tf.Tensor2D;
        return this.forwardModel!.train(x, target).dataSync()[0];
      });
    }
    return metrics;
  }

  beforeLogRow(buffer: ReplayBuffer, learner: Learner): UpdateMetrics {
    const out: UpdateMetrics = {};
    if (this.kappaCount > 0) {
      out.kappa_mean = this.kappaSum / this.kappaCount;
      this.kappaSum = 0;
      this.kappaCount = 0;
    }
    if (!this.config.monitor.enabled || buffer.size === 0) return out;
    const m = this.config.monitor;
    const batch = buffer.sample(m.samples, this.ctx.rng, { nStep: 1 });
    const kind = (i: number) => this.book.kinds[batch.indices[i]];
    const x = tf.tensor2d(discriminatorInputs(this.layout, batch.obs, batch.actions, batch.nextObs, batch.size, kind), [batch.size, inputWidth(this.layout)]);
    const sa = tf.tensor2d(discriminatorInputs(this.saLayout, batch.obs, batch.actions, batch.nextObs, batch.size, kind), [batch.size, inputWidth(this.saLayout)]);
    const k = this.config.discriminator.penalty.k;
    const [gAgent, gExpert, aProxy] = tf.tidy(() => {
      const ga = gradientNorms(this.discriminator.logitsAndInputGradient(x).grad).dataSync();
      const ge = gradientNorms(this.discriminator.logitsAndInputGradient(this.expertTensor).grad).dataSync();
      const ap = this.forwardModel!.jacobianProxy(sa).dataSync();
      return [ga, ge, ap];
    });
    tf.dispose([x, sa]);
    const ga = summary(gAgent);
    const ge = summary(gExpert);
    out.grad_h_agent_mean = ga.mean;
    out.grad_h_agent_std = ga.std;
    out.grad_h_agent_max = ga.max;
    out.grad_h_expert_mean = ge.mean;
    out.grad_h_expert_max = ge.max;
    out.lipschitz_mod1 = Array.from(gAgent).reduce((acc, g) => acc + Math.exp(-(Math.max(0, g - k) ** 2)), 0) / gAgent.length;
    // Absorbing rows carry their terminal transition's learner-side state, a real state.
    const n = Math.min(m.policySamples, batch.size);
    const b = policyJacobianProxy(learner, batch.obs, n);
    const c = gamma2C(this.ctx.config.gamma, aProxy.subarray(0, n), b);
    out.jac_forward_mean = summary(aProxy).mean;
    out.jac_policy_mean = summary(b).mean;
    out.gamma2c_mean = summary(c.values).mean;
    out.gamma2c_valid_share = c.validShare;
    return out;
  }

  evalExtras(result: EvalResult): { columns: Record<string, number>; message: string } {
    const score = normalizedScore(result.returnMean, this.expert);
    return { columns: { normalized_score: score }, message: `  normalized score ${(100 * score).toFixed(1)} % (expert ${this.expert.expertReturn.toFixed(1)}, random ${this.expert.randomReturn.toFixed(1)})` };
  }

  private tensors(): { name: string; variable: tf.Variable }[] {
    return [...this.discriminator.net.stateTensors(), ...(this.forwardModel?.net.stateTensors() ?? [])];
  }

  private optimizers(): [string, tf.Optimizer][] {
    return [['discriminator-optim', this.discriminator.optimizer], ...(this.forwardModel === null ? [] : ([['forward-model-optim', this.forwardModel.optimizer]] as [string, tf.Optimizer][]))];
  }

  async saveState(dir: string): Promise<void> {
    const list: { name: string; tensor: tf.Tensor }[] = this.tensors().map(({ name, variable }) => ({ name, tensor: variable }));
    for (const [prefix, opt] of this.optimizers()) {
      for (const slot of await optimizerState(opt)) list.push({ name: `${prefix}/${slot.name}`, tensor: slot.tensor });
    }
    const kinds = tf.tensor1d(Float32Array.from(this.book.kinds));
    try {
      await saveWeights(dir, 'gail-weights', [...list, { name: 'row-kinds', tensor: kinds }], { algo: 'gail' });
    } finally {
      kinds.dispose();
    }
    const state = { format: STATE_FORMAT, version: 1, config: this.config, updates: this.updates, kappaSum: this.kappaSum, kappaCount: this.kappaCount, preconditioner: this.preconditioner?.state?.() ?? null };
    await writeFileAtomicAsync(join(dir, 'gail-state.json'), `${JSON.stringify(state, null, 1)}\n`);
  }

  async loadState(dir: string): Promise<void> {
    const file = join(dir, 'gail-state.json');
    const state = JSON.parse(await readFile(file, 'utf8')) as { format: string; config: unknown; updates: number; kappaSum: number; kappaCount: number; preconditioner: unknown };
    if (state.format !== STATE_FORMAT) throw new Error(`${file}: not a GAIL state (format ${JSON.stringify(state.format)})`);
    if (JSON.stringify(state.config) !== JSON.stringify(this.config)) throw new Error(`${file}: saved with another GAIL config: ${JSON.stringify(state.config)}`);
    const loaded = await loadWeights(dir, 'gail-weights');
    assignWeights(loaded, this.tensors());
    for (const [prefix, opt] of this.optimizers()) {
      const slots = [...loaded.tensors.entries()].filter(([n]) => n.startsWith(`${prefix}/`)).map(([n, w]) => ({ name: n.slice(prefix.length + 1), tensor: tf.tensor(w.data, w.shape, 'float32') }));
      try {
        await setOptimizerState(opt, slots);
      } finally {
        slots.forEach((s) => s.tensor.dispose());
      }
    }
    const kinds = loaded.tensors.get('row-kinds');
    if (kinds === undefined || kinds.data.length !== this.book.kinds.length) throw new Error(`${dir}: row-kinds missing or of the wrong length`);
    this.book.kinds.set(Uint8Array.from(kinds.data));
    this.updates = state.updates;
    this.kappaSum = state.kappaSum;
    this.kappaCount = state.kappaCount;
    if (state.preconditioner !== null) this.preconditioner?.setState?.(state.preconditioner);
  }

  dispose(): void {
    this.discriminator.dispose();
    this.forwardModel?.dispose();
    this.expertTensor.dispose();
  }
}

/** The 'gail' training extension: `extension: { name: 'gail', config: {...} }` in a loop config. */
export const gailEntry: ExtensionEntry<GailConfig> = {
  name: 'gail',
  description: 'off-policy GAIL: discriminator reward with gradient penalty, absorbing states, optional PURPLE',
  parseConfig: parseGailConfig,
  tunedDefaults(algo, envId) {
    return gailTunedDefaults(algo, envId);
  },
  async create(config, ctx) {
    const c = ctx.config;
    const context: ExpertContext = { env: c.env, envKwargs: c.envKwargs, maxEpisodeSteps: c.maxEpisodeSteps, obsDim: ctx.obsDim, actDim: ctx.actDim };
    const expert = await resolveExpert(config, context, c.seed);
    validateExpert(expert, context);
    return new Gail(config, expert, ctx);
  },
};
