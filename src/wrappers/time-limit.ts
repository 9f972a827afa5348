/**
 * TimeLimit: ends an episode by truncation after `maxEpisodeSteps` steps.
 *
 * It sets `truncated` and never touches `terminated`: both can be true on the same step, and a
 * learner must still treat a truncated, non-terminated step as bootstrappable.
 */
import type { Env, Info, ResetOptions, StepResult } from '../env.js';
import type { SpaceValue } from '../spaces.js';
import { Wrapper } from './wrapper.js';

export class TimeLimit<O extends SpaceValue = SpaceValue, A extends SpaceValue = SpaceValue> extends Wrapper<O, A> {
  readonly maxEpisodeSteps: number;
  /** Steps taken since the last reset. */
  elapsedSteps = 0;

  constructor(env: Env<O, A>, maxEpisodeSteps: number) {
    super(env);
    if (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new RangeError(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
    this.maxEpisodeSteps = maxEpisodeSteps;
  }

  override reset(options?: ResetOptions): [O, Info] {
    this.elapsedSteps = 0;
    return super.reset(options);
  }

  override step(action: A): StepResult<O> {
    const [obs, reward, terminated, truncated, info] = super.step(action);
    this.elapsedSteps += 1;
    return [obs, reward, terminated, truncated || this.elapsedSteps >= this.maxEpisodeSteps, info];
  }
}
