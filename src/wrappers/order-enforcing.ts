/**
 * OrderEnforcing: `step` before the first `reset` is an error, as in Gymnasium, instead of
 * silently stepping an uninitialised state.
 */
import type { Info, ResetOptions, StepResult } from '../env.js';
import type { SpaceValue } from '../spaces.js';
import { envName, Wrapper } from './wrapper.js';

export class OrderEnforcing<O extends SpaceValue = SpaceValue, A extends SpaceValue = SpaceValue> extends Wrapper<O, A> {
  private hasReset = false;

  override reset(options?: ResetOptions): [O, Info] {
    this.hasReset = true;
    return super.reset(options);
  }

  override step(action: A): StepResult<O> {
    if (!this.hasReset) throw new Error(`${envName(this)}: step() called before reset(); call reset() first`);
    return super.step(action);
  }
}
