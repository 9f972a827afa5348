/**
 * NormalizeReward: scales rewards so that their discounted sum has roughly unit variance, with
 * Gymnasium's exact update.
 *
 * Per step, in this order (Gymnasium 1.x, single-env wrapper):
 * 1. `G ← G · gamma · (1 − terminated) + r`: the discounted return accumulator is cleared by the
 *    *current* step's termination, before its reward is added. So on a terminal step G = r_T,
 *    and r_T is carried (discounted) into the next episode's first step; truncation and reset
 *    never clear G. This is Gymnasium's backward-compatible quirk, kept so that results match.
 * 2. The running variance of G is updated with G (unless frozen).
 * 3. The returned reward is r / √(var(G) + epsilon), with **no** mean subtraction (subtracting
 *    the mean would turn a survival bonus into a penalty; see openai/baselines#538).
 *
 * The statistics start at mean 0, variance 1, count 1e-4 ({@link RunningMeanStd}). The wrapper's
 * state (statistics and accumulator) is savable with {@link NormalizeReward.state}.
 */
import type { Env, StepResult } from '../env.js';
import { RunningMeanStd, type RunningMeanStdState } from '../running-mean-std.js';
import type { SpaceValue } from '../spaces.js';
import { Wrapper } from './wrapper.js';

/** Saved state of a {@link NormalizeReward}. */
export interface NormalizeRewardState {
  returnRms: RunningMeanStdState;
  /** The discounted return accumulator G. */
  discountedReturn: number;
}

/** Options of {@link NormalizeReward}. */
export interface NormalizeRewardOptions {
  /** Discount of the return accumulator, in [0, 1] (default 0.99). */
  gamma?: number;
  /** Added to the variance under the square root (default 1e-8). */
  epsilon?: number;
}

export class NormalizeReward<O extends SpaceValue = SpaceValue, A extends SpaceValue = SpaceValue> extends Wrapper<O, A> {
  readonly gamma: number;
  readonly epsilon: number;
  /** Running statistics of the discounted return. */
  readonly returnRms = new RunningMeanStd(1);
  /** The discounted return accumulator G. */
  discountedReturn = 0;
  /** When false, rewards are scaled with frozen statistics. */
  updateRunningMean = true;
  private readonly scratch = new Float64Array(1);

  constructor(env: Env<O, A>, options: NormalizeRewardOptions = {}) {
    super(env);
    const { gamma = 0.99, epsilon = 1e-8 } = options;
    // gamma > 1 makes the accumulator diverge; a negative one flips its sign every step.
    if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`NormalizeReward: gamma must be in [0, 1], got ${gamma}`);
    if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError(`NormalizeReward: epsilon must be a positive finite number, got ${epsilon}`);
    this.gamma = gamma;
    this.epsilon = epsilon;
  }

  override step(action: A): StepResult<O> {
    const [obs, reward, terminated, truncated, info] = super.step(action);
    this.discountedReturn = this.discountedReturn * this.gamma * (terminated ? 0 : 1) + reward;
    if (this.updateRunningMean) {
      this.scratch[0] = this.discountedReturn;
      this.returnRms.update(this.scratch);
    }
    return [obs, reward / Math.sqrt(this.returnRms.var[0] + this.epsilon), terminated, truncated, info];
  }

  /** Statistics and accumulator as plain JSON. */
  state(): NormalizeRewardState {
    return { returnRms: this.returnRms.state(), discountedReturn: this.discountedReturn };
  }

  /** Restores a state saved by {@link NormalizeReward.state}. */
  setState(state: NormalizeRewardState): void {
    if (typeof state !== 'object' || state === null) throw new TypeError('NormalizeReward.setState: expected an object {returnRms, discountedReturn}');
    if (typeof state.discountedReturn !== 'number' || !Number.isFinite(state.discountedReturn)) {
      throw new RangeError(`NormalizeReward.setState: field 'discountedReturn' must be a finite number, got ${String(state.discountedReturn)}`);
    }
    this.returnRms.setState(state.returnRms);
    this.discountedReturn = state.discountedReturn;
  }
}
