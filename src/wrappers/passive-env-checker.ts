/**
 * PassiveEnvChecker: the checks `make` puts around every env, as Gymnasium's wrapper of the same
 * name, but failing loudly instead of logging, except for an observation outside the space's
 * bounds, which is warned about once (reset options may start an episode outside them, as in
 * Gymnasium). The spaces are checked on construction, every
 * reset and the first step are checked in full against the spaces (the same rules and messages
 * as {@link checkEnv}), and every later step gets only the cheap checks — reward a finite number,
 * terminated/truncated booleans, a Box observation free of NaN/Inf — that allocate nothing.
 *
 * Actions are not checked here: envs validate them themselves (`assertAction`).
 */
import type { Env, Info, ResetOptions, StepResult } from '../env.js';
import {
  assertFiniteObservation,
  checkObservation,
  checkResetReturn,
  checkSpaces,
  checkStepReturn,
  checkStepScalars,
  checkStepTuple,
  EnvCheckError,
  nameOf,
} from '../env-validation.js';
import { Box, type SpaceValue } from '../spaces.js';
import { Wrapper } from './wrapper.js';

export class PassiveEnvChecker<O extends SpaceValue = SpaceValue, A extends SpaceValue = SpaceValue> extends Wrapper<O, A> {
  private steppedOnce = false;
  private renderedOnce = false;
  private warnedOutside = false;
  private readonly warnOutside = (error: EnvCheckError): void => {
    if (this.warnedOutside) return;
    this.warnedOutside = true;
    process.emitWarning(error.message, { code: 'IMITATE_OBS_OUTSIDE_SPACE' });
  };
  /** Steps since the last reset, 1-based in messages: "step 57 since the last reset". */
  private episodeStep = 0;
  // Cached so the per-step path does not walk the wrapper stack; refreshed on reset because
  // `make` may attach the spec after construction.
  private name: string;

  constructor(env: Env<O, A>) {
    super(env);
    this.name = nameOf(env);
    checkSpaces(env, this.name);
  }

  override reset(options?: ResetOptions): [O, Info] {
    this.name = nameOf(this);
    const result: unknown = super.reset(options);
    // Resets are rare next to steps, so each one is checked in full, not only the first.
    checkResetReturn(result, this.observationSpace, this.name, 'reset()', this.warnOutside);
    this.episodeStep = 0;
    return result as [O, Info];
  }

  override step(action: A): StepResult<O> {
    const result: unknown = super.step(action);
    const n = ++this.episodeStep;
    if (!this.steppedOnce) {
      checkStepReturn(result, this.observationSpace, this.name, n, this.warnOutside);
      this.steppedOnce = true;
      return result as StepResult<O>;
    }
    checkStepTuple(result, this.name, n);
    checkStepScalars(result, this.name, n);
    const space = this.observationSpace;
    const obs = result[0];
    if (space instanceof Box && obs instanceof Float32Array && obs.length === space.size) assertFiniteObservation(obs, this.name, n);
    // A wrong type or length (or a Discrete value) gets the full check, which names the problem.
    else checkObservation(obs, space, this.name, n, this.warnOutside);
    return result as StepResult<O>;
  }

  override render(): string {
    const frame: unknown = super.render();
    if (!this.renderedOnce) {
      if (typeof frame !== 'string') {
        throw new EnvCheckError(this.name, 'render', `render() returned ${frame === undefined ? 'undefined' : typeof frame}, expected a string`, 'return a text picture of the current state, or leave render undefined if there is none');
      }
      this.renderedOnce = true;
    }
    return frame as string;
  }
}
