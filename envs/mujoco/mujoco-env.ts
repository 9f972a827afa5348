/**
 * The base of every MuJoCo env, after Gymnasium's `MujocoEnv` (spec/environments.md §3.1), and a
 * short way to register a custom MuJoCo env from one's own MJCF ({@link registerMujocoEnv}).
 *
 * - One compiled `MjModel` per distinct XML, shared by all instances and kept for the process;
 *   one `MjData` per instance, freed by `close()` (or, as a fallback, when the env is garbage
 *   collected).
 * - `dt = timestep × frameSkip`; `step` writes the action to `ctrl` (MuJoCo clamps it to each
 *   actuator's `ctrlrange`), calls `mj_step` frameSkip times and `mj_rnePostConstraint` once (so
 *   `cfrc_ext` and `cacc` are valid).
 * - `reset` = `mj_resetData`, then qpos0 + noise and zero velocity + noise, then `mj_forward`.
 * - Observations are `Float32Array`s (Gymnasium's are float64): float32 is this project's
 *   convention for every Box space. Rewards and the simulation itself stay float64.
 *
 * Needs `await loadMujoco()` before the first env is built (see ./loader.ts).
 */
import { z } from 'zod';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../../src/env.js';
import { parseKwargs } from '../../src/kwargs.js';
import { register, type EnvSpec, type EnvSpecOptions } from '../../src/registry.js';
import { Box } from '../../src/spaces.js';
import { compileModel, mujoco, type MjData, type MjModel, type Mujoco } from './loader.js';

/** How reset noise is drawn per entry: uniform on [−scale, scale], or normal with std `scale`. */
export type NoiseKind = 'uniform' | 'normal';

/** Construction options of {@link MujocoEnv}. */
export interface MujocoEnvOptions {
  /** Name in error messages (the env id). */
  name: string;
  /** The MJCF model. */
  xml: string;
  /** Physics steps per env step. */
  frameSkip: number;
  /** Length of the observation vector. */
  observationSize: number;
  /** Scale of the reset noise added to qpos0 and to the zero velocity. */
  resetNoiseScale: number;
  /** Distribution of the qpos noise (default uniform). */
  qposNoise?: NoiseKind;
  /** Distribution of the qvel noise (default uniform). */
  qvelNoise?: NoiseKind;
}

// Keyed by the XML text: envs made with the same model share one compiled MjModel. The
// timestep is read once: each `model.opt` access creates a new wrapper object.
const models = new Map<string, { model: MjModel; timestep: number }>();

/** The compiled model of `xml` and its timestep, compiled on first use and then shared. */
export function cachedModel(xml: string, name: string): { model: MjModel; timestep: number } {
  let entry = models.get(xml);
  if (entry === undefined) {
    const model = compileModel(xml, name);
    entry = { model, timestep: model.opt.timestep };
    models.set(xml, entry);
  }
  return entry;
}

// If an env is dropped without close(), its MjData (wasm memory) is freed when it is collected.
const orphanedData = new FinalizationRegistry<MjData>((data) => data.delete());

/** A MuJoCo env: subclasses define `observation()` and `step()` (with {@link doSimulation}). */
export abstract class MujocoEnv extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  readonly model: MjModel;
  readonly frameSkip: number;
  /** Seconds of simulated time per env step. */
  readonly dt: number;
  /** qpos at reset before noise: the model's qpos0. */
  readonly initQpos: Float64Array;
  /** qvel at reset before noise: zeros. */
  readonly initQvel: Float64Array;
  readonly resetNoiseScale: number;
  override readonly metadata: Record<string, unknown>;
  protected readonly mj: Mujoco;
  protected readonly name: string;
  private readonly qposNoise: NoiseKind;
  private readonly qvelNoise: NoiseKind;
  private simData: MjData | null;

  constructor(options: MujocoEnvOptions) {
    super();
    const { name, frameSkip, resetNoiseScale } = options;
    if (!Number.isSafeInteger(frameSkip) || frameSkip < 1) throw new RangeError(`${name}: frame_skip must be a positive integer, got ${frameSkip}`);
    if (!(resetNoiseScale >= 0) || !Number.isFinite(resetNoiseScale)) throw new RangeError(`${name}: reset_noise_scale must be a finite number ≥ 0, got ${resetNoiseScale}`);
    this.mj = mujoco(name);
    this.name = name;
    const { model, timestep } = cachedModel(options.xml, name);
    this.model = model;
    this.simData = new this.mj.MjData(this.model);
    orphanedData.register(this, this.simData, this);
    this.frameSkip = frameSkip;
    this.dt = timestep * frameSkip;
    this.metadata = { renderModes: [], renderFps: Math.round(1 / this.dt) };
    this.resetNoiseScale = resetNoiseScale;
    this.qposNoise = options.qposNoise ?? 'uniform';
    this.qvelNoise = options.qvelNoise ?? 'uniform';
    this.initQpos = Float64Array.from(this.model.qpos0 as ArrayLike<number>);
    this.initQvel = new Float64Array(this.model.nv);
    const range = this.model.actuator_ctrlrange as ArrayLike<number>;
    const limited = this.model.actuator_ctrllimited as ArrayLike<number>;
    const low = new Float32Array(this.model.nu);
    const high = new Float32Array(this.model.nu);
    for (let i = 0; i < this.model.nu; i++) {
      low[i] = limited[i] ? range[2 * i] : -Infinity;
      high[i] = limited[i] ? range[2 * i + 1] : Infinity;
    }
    this.actionSpace = new Box(low, high);
    this.observationSpace = new Box(-Infinity, Infinity, [options.observationSize]);
  }

  /** This instance's simulation state; throws after `close()`. */
  get data(): MjData {
    if (this.simData === null) throw new Error(`${this.name}: the env is closed`);
    return this.simData;
  }

  override reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    this.mj.mj_resetData(this.model, this.data);
    const [qpos, qvel] = this.sampleResetState();
    this.setState(qpos, qvel);
    return [this.observation(), this.resetInfo()];
  }

  /** qpos0 and zero velocity plus the env's reset noise; qpos entries are drawn before qvel's. */
  protected sampleResetState(): [Float64Array, Float64Array] {
    const qpos = this.initQpos.map((v) => v + this.noise(this.qposNoise));
    const qvel = this.initQvel.map((v) => v + this.noise(this.qvelNoise));
    return [qpos, qvel];
  }

  private noise(kind: NoiseKind): number {
    const s = this.resetNoiseScale;
    return kind === 'uniform' ? this.npRandom.uniform(-s, s) : s * this.npRandom.normal();
  }

  /** Writes qpos and qvel (no renormalisation of quaternions) and runs `mj_forward`. */
  setState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): void {
    const { nq, nv } = this.model;
    if (qpos.length !== nq || qvel.length !== nv) {
      throw new RangeError(`${this.name}: setState needs qpos of length ${nq} and qvel of length ${nv}, got ${qpos.length} and ${qvel.length}`);
    }
    const data = this.data;
    (data.qpos as Float64Array).set(qpos);
    (data.qvel as Float64Array).set(qvel);
    this.mj.mj_forward(this.model, data);
  }

  /**
   * Checks the action, writes it to `ctrl`, steps the physics frameSkip times and computes the
   * constraint-dependent forces once. Call it from `step`.
   */
  protected doSimulation(action: Float32Array): void {
    this.checkAction(action);
    const data = this.data;
    const ctrl = data.ctrl as Float64Array;
    ctrl.set(action);
    for (let k = 0; k < this.frameSkip; k++) this.mj.mj_step(this.model, data);
    this.mj.mj_rnePostConstraint(this.model, data);
  }

  /** The observation of the current state. */
  protected abstract observation(): Float32Array;

  /** Extra info returned by `reset` (the locomotion envs report positions). */
  protected resetInfo(): Info {
    return {};
  }

  abstract override step(action: Float32Array): StepResult<Float32Array>;

  /** Frees this instance's simulation state; calling it again is harmless. The shared model stays. */
  override close(): void {
    if (this.simData === null) return;
    orphanedData.unregister(this);
    this.simData.delete();
    this.simData = null;
  }
}

/**
 * ctrl_cost_weight·‖a‖² rounded as Gymnasium computes it: the action is float32, so under NumPy 2
 * promotion the squares, their sum and the product with the (Python float) weight stay float32.
 */
export function controlCost(weight: number, action: Float32Array): number {
  let squares = 0;
  for (let i = 0; i < action.length; i++) squares = Math.fround(squares + Math.fround(action[i] * action[i]));
  return Math.fround(weight * squares);
}

/** Read-only view of the simulation given to a {@link MujocoEnvDefinition}'s callbacks. */
export interface MujocoStepContext {
  model: MjModel;
  data: MjData;
  /** Current qpos and qvel (views into the engine's memory: valid during the callback only). */
  qpos: Float64Array;
  qvel: Float64Array;
  /** qpos before the step (a copy); in `observation` after a reset it equals `qpos`. */
  qposBefore: Float64Array;
  /** The action of this step; null in `observation` after a reset. */
  action: Float32Array | null;
  dt: number;
}

/** A custom MuJoCo env in a few lines: the model plus observation and reward functions. */
export interface MujocoEnvDefinition {
  xml: string;
  /** Default frame skip (kwarg `frame_skip`), default 1. */
  frameSkip?: number;
  /** Default reset noise scale (kwarg `reset_noise_scale`), default 0. */
  resetNoiseScale?: number;
  qposNoise?: NoiseKind;
  qvelNoise?: NoiseKind;
  observationSize: number;
  observation(sim: MujocoStepContext): ArrayLike<number>;
  /** Reward, termination and info of the step just simulated. */
  reward(sim: MujocoStepContext): { reward: number; terminated?: boolean; info?: Info };
}

const CustomKwargs = z.strictObject({
  frame_skip: z.number().int().positive().optional(),
  reset_noise_scale: z.number().finite().nonnegative().optional(),
});

/** The env built by {@link registerMujocoEnv}. */
export class CustomMujocoEnv extends MujocoEnv {
  private readonly def: MujocoEnvDefinition;
  private qposBefore: Float64Array;

  constructor(name: string, def: MujocoEnvDefinition, kwargs: Record<string, unknown> = {}) {
    const kw = parseKwargs(name, CustomKwargs, kwargs);
    super({
      name,
      xml: def.xml,
      frameSkip: kw.frame_skip ?? def.frameSkip ?? 1,
      observationSize: def.observationSize,
      resetNoiseScale: kw.reset_noise_scale ?? def.resetNoiseScale ?? 0,
      qposNoise: def.qposNoise,
      qvelNoise: def.qvelNoise,
    });
    this.def = def;
    this.qposBefore = new Float64Array(this.model.nq);
  }

  private context(action: Float32Array | null): MujocoStepContext {
    const data = this.data;
    return { model: this.model, data, qpos: data.qpos as Float64Array, qvel: data.qvel as Float64Array, qposBefore: this.qposBefore, action, dt: this.dt };
  }

  protected observation(): Float32Array {
    const obs = this.def.observation(this.context(null));
    if (obs.length !== this.def.observationSize) {
      throw new RangeError(`${this.name}: observation() returned ${obs.length} values, observationSize is ${this.def.observationSize}`);
    }
    return Float32Array.from(obs);
  }

  override reset(options?: ResetOptions): [Float32Array, Info] {
    const result = super.reset(options);
    this.qposBefore = Float64Array.from(this.data.qpos as Float64Array);
    return result;
  }

  override step(action: Float32Array): StepResult<Float32Array> {
    this.qposBefore = Float64Array.from(this.data.qpos as Float64Array);
    this.doSimulation(action);
    const obs = Float32Array.from(this.def.observation(this.context(action)));
    const { reward, terminated = false, info = {} } = this.def.reward(this.context(action));
    return [obs, reward, terminated, false, info];
  }
}

/**
 * Registers a MuJoCo env built from your own MJCF, so that `make(id)` (after
 * `await loadMujoco()`) and the CLI find it. Kwargs `frame_skip` and `reset_noise_scale`
 * override the definition's defaults.
 *
 * ```ts
 * registerMujocoEnv('MyCart-v0', {
 *   xml: MY_CART_XML, frameSkip: 2, resetNoiseScale: 0.01, observationSize: 4,
 *   observation: ({ qpos, qvel }) => [...qpos, ...qvel],
 *   reward: ({ qpos }) => ({ reward: 1, terminated: Math.abs(qpos[1]) > 0.2 }),
 * }, { maxEpisodeSteps: 1000 });
 * ```
 */
export function registerMujocoEnv(id: string, def: MujocoEnvDefinition, options: EnvSpecOptions = {}): EnvSpec {
  return register(id, (kw) => new CustomMujocoEnv(id, def, kw), options);
}
