/**
 * NormalizeObservation: standardises Box observations with running statistics, as Gymnasium's
 * wrapper does.
 *
 * Every observation returned by `reset` and `step` first updates the per-feature running mean
 * and variance (see {@link RunningMeanStd}: count starts at 1e-4) and is then returned as
 * (obs − mean) / √(var + epsilon) in float32. Setting {@link NormalizeObservation.updateRunningMean}
 * to false freezes the statistics, e.g. for evaluation with the statistics of training;
 * {@link NormalizeObservation.state} / {@link NormalizeObservation.setState} carry them into a
 * checkpoint or an evaluation env.
 *
 * The wrapper's observation space is unbounded (as Gymnasium ≥ 1.0): standardised values have no
 * fixed range.
 */
import type { Env, Info, ResetOptions, StepResult } from '../env.js';
import { RunningMeanStd, type RunningMeanStdState } from '../running-mean-std.js';
import { Box, type Space, type SpaceValue } from '../spaces.js';
import { envName, Wrapper } from './wrapper.js';

/** Saved state of a {@link NormalizeObservation}. */
export interface NormalizeObservationState {
  obsRms: RunningMeanStdState;
}

export class NormalizeObservation<A extends SpaceValue = SpaceValue> extends Wrapper<Float32Array, A, SpaceValue, A> {
  readonly epsilon: number;
  /** The running statistics; replace them with {@link NormalizeObservation.setState}. */
  readonly obsRms: RunningMeanStd;
  /** When false, observations are normalised with frozen statistics. */
  updateRunningMean = true;
  private readonly space: Box;

  /** `env` may be typed loosely (as `make` returns it); its observation space must be a Box. */
  constructor(env: Env<SpaceValue, A>, epsilon = 1e-8) {
    super(env);
    const inner = env.observationSpace;
    if (!(inner instanceof Box)) {
      throw new TypeError(`NormalizeObservation(${envName(env)}): needs a Box observation space, got ${String(inner)}; a Discrete observation has no mean to standardise`);
    }
    if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError(`NormalizeObservation: epsilon must be a positive finite number, got ${epsilon}`);
    this.epsilon = epsilon;
    this.space = new Box(-Infinity, Infinity, inner.shape);
    this.obsRms = new RunningMeanStd(inner.size);
  }

  override get observationSpace(): Space {
    return this.space;
  }

  override reset(options?: ResetOptions): [Float32Array, Info] {
    const [obs, info] = super.reset(options);
    return [this.observation(obs), info];
  }

  override step(action: A): StepResult<Float32Array> {
    const [obs, reward, terminated, truncated, info] = super.step(action);
    return [this.observation(obs), reward, terminated, truncated, info];
  }

  /** Updates the statistics (unless frozen) and standardises `obs`. */
  observation(obs: Float32Array): Float32Array {
    // A longer array would otherwise be taken for a batch of several observations.
    if (obs?.length !== this.obsRms.size) {
      throw new RangeError(`NormalizeObservation(${envName(this)}): observation has length ${String(obs?.length)}, the space ${String(this.env.observationSpace)} needs ${this.obsRms.size}`);
    }
    if (this.updateRunningMean) this.obsRms.update(obs);
    return this.obsRms.normalize(obs, this.epsilon);
  }

  /** The running statistics as plain JSON. */
  state(): NormalizeObservationState {
    return { obsRms: this.obsRms.state() };
  }

  /** Restores statistics saved by {@link NormalizeObservation.state}. */
  setState(state: NormalizeObservationState): void {
    if (typeof state !== 'object' || state === null || !('obsRms' in state)) {
      throw new TypeError(`NormalizeObservation.setState: expected an object {obsRms}, got ${state === null ? 'null' : typeof state}`);
    }
    this.obsRms.setState(state.obsRms);
  }
}
