/**
 * Exploration noise for deterministic actors (TD3): additive action noise (Gaussian,
 * Ornstein–Uhlenbeck) and adaptive parameter-space noise (Plappert et al. 2018).
 *
 * Every draw comes from the `Rng` the noise was given, and the noise owns that stream: its saved
 * state (plain JSON) includes the stream's state, so a resumed run draws exactly what the
 * uninterrupted one would have. Give each noise its own named stream (`rng.stream('ou')`).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, type RngState } from '../src/rng.js';

/** Additive noise on an action vector. */
export interface ActionNoise {
  readonly kind: 'gaussian' | 'ou';
  readonly dim: number;
  /** The next noise vector (a fresh array). */
  sample(): Float32Array;
  /** Starts a new episode (OU returns to x0; Gaussian has no memory). */
  reset(): void;
  state(): ActionNoiseState;
  setState(state: ActionNoiseState): void;
}

export type ActionNoiseState =
  | { kind: 'gaussian'; rng: RngState }
  | { kind: 'ou'; x: number[]; rng: RngState };

function checkPositive(name: string, value: number, allowZero = false): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${value}`);
  }
}

function checkDim(dim: number): void {
  if (!Number.isSafeInteger(dim) || dim <= 0) throw new RangeError(`noise dim must be a positive integer, got ${dim}`);
}

function checkKind(state: { kind?: unknown } | null | undefined, kind: string): void {
  if (state?.kind !== kind) throw new TypeError(`noise state: expected kind '${kind}', got '${String(state?.kind)}'`);
}

/** Independent N(0, σ²) per action coordinate and step (SB3's NormalActionNoise). */
export class GaussianActionNoise implements ActionNoise {
  readonly kind = 'gaussian' as const;

  constructor(
    readonly dim: number,
    readonly sigma: number,
    private readonly rng: Rng,
  ) {
    checkDim(dim);
    checkPositive('gaussian noise sigma', sigma, true);
  }

  sample(): Float32Array {
    const out = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) out[i] = this.sigma * this.rng.normal();
    return out;
  }

  reset(): void {}

  state(): ActionNoiseState {
    return { kind: 'gaussian', rng: this.rng.state() };
  }

  setState(state: ActionNoiseState): void {
    checkKind(state, 'gaussian');
    this.rng.setState(state.rng);
  }
}

export interface OrnsteinUhlenbeckOptions {
  sigma: number;
  /** Mean-reversion rate (default 0.15). */
  theta?: number;
  /** Time step (default 0.01). */
  dt?: number;
  /** Long-run mean μ (default 0). */
  mu?: number;
  /** Start value after each reset, per coordinate or one for all (default μ). */
  x0?: number | ArrayLike<number>;
}

/**
 * Ornstein–Uhlenbeck process, Euler–Maruyama discretised:
 * x ← x + θ(μ − x)·dt + σ·√dt·N(0, 1). Its stationary variance is σ²·dt / (1 − (1 − θ·dt)²),
 * ≈ σ²/(2θ) for small θ·dt. The sample returned is the new x.
 */
export class OrnsteinUhlenbeckNoise implements ActionNoise {
  readonly kind = 'ou' as const;
  readonly sigma: number;
  readonly theta: number;
  readonly dt: number;
  readonly mu: number;
  private readonly x0: Float64Array;
  private x: Float64Array;

  constructor(
    readonly dim: number,
    options: OrnsteinUhlenbeckOptions,
    private readonly rng: Rng,
  ) {
    checkDim(dim);
    this.sigma = options.sigma;
    this.theta = options.theta ?? 0.15;
    this.dt = options.dt ?? 0.01;
    this.mu = options.mu ?? 0;
    checkPositive('OU sigma', this.sigma, true);
    checkPositive('OU theta', this.theta, true);
    checkPositive('OU dt', this.dt);
    if (!Number.isFinite(this.mu)) throw new RangeError(`OU mu must be finite, got ${this.mu}`);
    const x0 = options.x0 ?? this.mu;
    if (typeof x0 === 'number') {
      this.x0 = new Float64Array(dim).fill(x0);
    } else {
      if (x0.length !== dim) throw new RangeError(`OU x0 has length ${x0.length}, expected ${dim}`);
      this.x0 = Float64Array.from(x0);
    }
    this.x = this.x0.slice();
  }

  sample(): Float32Array {
    const drift = this.theta * this.dt;
    const diffusion = this.sigma * Math.sqrt(this.dt);
    const out = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) {
      this.x[i] += drift * (this.mu - this.x[i]) + diffusion * this.rng.normal();
      out[i] = this.x[i];
    }
    return out;
  }

  reset(): void {
    this.x = this.x0.slice();
  }

  /** The analytic stationary variance of the discretised process. */
  stationaryVariance(): number {
    const a = 1 - this.theta * this.dt;
    return (this.sigma * this.sigma * this.dt) / (1 - a * a);
  }

  state(): ActionNoiseState {
    return { kind: 'ou', x: Array.from(this.x), rng: this.rng.state() };
  }

  setState(state: ActionNoiseState): void {
    checkKind(state, 'ou');
    const x = (state as { x?: unknown }).x;
    if (!Array.isArray(x) || x.length !== this.dim || !x.every((v) => typeof v === 'number')) {
      throw new TypeError(`OU noise state: 'x' must be an array of ${this.dim} numbers`);
    }
    this.rng.setState(state.rng);
    this.x = Float64Array.from(x);
  }
}

export interface AdaptiveParamNoiseOptions {
  /** Std of the first perturbation (default 0.2). */
  initialStd?: number;
  /** RMS action distance the perturbation aims at (default 0.2). */
  targetDistance?: number;
  /** Multiplier (and divisor) applied at each adaptation (default 1.01). */
  adaptationCoefficient?: number;
}

export interface AdaptiveParamNoiseState {
  kind: 'adaptive-param';
  currentStd: number;
  lastDistance: number | null;
  rng: RngState;
}

/**
 * Adaptive parameter-space noise: the actor's weights are perturbed with N(0, std²), and std is
 * nudged so that the perturbed actor's actions stay about `targetDistance` (RMS over a batch and
 * the action coordinates) from the unperturbed actor's: ×coefficient when closer, ÷ when farther.
 * The learner owns the perturbed copies; this class holds std and draws the perturbations.
 */
export class AdaptiveParamNoise {
  readonly initialStd: number;
  readonly targetDistance: number;
  readonly adaptationCoefficient: number;
  private std: number;
  private lastDistance: number | null = null;

  constructor(
    options: AdaptiveParamNoiseOptions,
    private readonly rng: Rng,
  ) {
    this.initialStd = options.initialStd ?? 0.2;
    this.targetDistance = options.targetDistance ?? 0.2;
    this.adaptationCoefficient = options.adaptationCoefficient ?? 1.01;
    checkPositive('param noise initialStd', this.initialStd);
    checkPositive('param noise targetDistance', this.targetDistance);
    if (!(this.adaptationCoefficient > 1) || !Number.isFinite(this.adaptationCoefficient)) {
      throw new RangeError(`param noise adaptationCoefficient must be a finite number > 1, got ${this.adaptationCoefficient}`);
    }
    this.std = this.initialStd;
  }

  /** The std the next perturbation uses. */
  get currentStd(): number {
    return this.std;
  }

  /** The distance given to the last {@link adapt} call (null before the first). */
  get distance(): number | null {
    return this.lastDistance;
  }

  /** Adapts std from a measured RMS action distance; returns the new std. */
  adapt(distance: number): number {
    if (!Number.isFinite(distance) || distance < 0) throw new RangeError(`param noise distance must be a non-negative finite number, got ${distance}`);
    this.lastDistance = distance;
    if (distance > this.targetDistance) this.std /= this.adaptationCoefficient;
    else this.std *= this.adaptationCoefficient;
    return this.std;
  }

  /**
   * Writes `target[i] = source[i] + N(0, std²)` where `perturbable[i]`, else a plain copy
   * (LayerNorm gains and biases are copied). tfjs draws with seeds from this noise's stream.
   */
  perturb(source: readonly tf.Variable[], target: readonly tf.Variable[], perturbable: readonly boolean[]): void {
    if (source.length !== target.length || source.length !== perturbable.length) {
      throw new RangeError(`perturb: ${source.length} source, ${target.length} target variables and ${perturbable.length} flags must match`);
    }
    const std = this.std;
    tf.tidy(() => {
      for (let i = 0; i < source.length; i++) {
        const s = source[i];
        target[i].assign(perturbable[i] ? tf.add(s, tf.randomNormal(s.shape, 0, std, 'float32', this.rng.seed())) : s);
      }
    });
  }

  state(): AdaptiveParamNoiseState {
    return { kind: 'adaptive-param', currentStd: this.std, lastDistance: this.lastDistance, rng: this.rng.state() };
  }

  setState(state: AdaptiveParamNoiseState): void {
    checkKind(state, 'adaptive-param');
    if (typeof state.currentStd !== 'number' || !(state.currentStd > 0)) {
      throw new TypeError(`param noise state: 'currentStd' must be a positive number, got ${String(state.currentStd)}`);
    }
    this.rng.setState(state.rng);
    this.std = state.currentStd;
    this.lastDistance = state.lastDistance ?? null;
  }
}

/** RMS distance between two action batches: √mean((a − b)²) over rows and coordinates. */
export function rmsActionDistance(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.mean(tf.squaredDifference(a, b))) as tf.Scalar);
}

/** Action noise described by a config; null for 'none'. */
export interface ActionNoiseSpec {
  type: 'none' | 'gaussian' | 'ou';
  sigma: number;
  theta?: number;
  dt?: number;
}

/** Builds the action noise a config names (null for 'none'). */
export function createActionNoise(spec: ActionNoiseSpec, dim: number, rng: Rng): ActionNoise | null {
  switch (spec.type) {
    case 'none':
      return null;
    case 'gaussian':
      return new GaussianActionNoise(dim, spec.sigma, rng);
    case 'ou':
      return new OrnsteinUhlenbeckNoise(dim, { sigma: spec.sigma, theta: spec.theta, dt: spec.dt }, rng);
  }
}
