/**
 * ActionWrapper: base of the wrappers that present their own Box action space to the agent and
 * map each action onto the env's (Gymnasium's ActionWrapper). The agent's action is validated
 * against the wrapper's space first (length, finiteness), because a NaN would otherwise pass
 * silently through a clip or an affine map.
 */
import { assertAction, type Env, type StepResult } from '../env.js';
import { Box, type Space, type SpaceValue } from '../spaces.js';
import { envName, Wrapper } from './wrapper.js';

export abstract class ActionWrapper<O extends SpaceValue = SpaceValue> extends Wrapper<O, Float32Array> {
  /** The env's own Box action space, the target of {@link ActionWrapper.action}. */
  protected readonly target: Box;

  constructor(env: Env<O, Float32Array>) {
    super(env);
    const inner = env.actionSpace;
    if (!(inner instanceof Box)) throw new TypeError(`${this.constructor.name}(${envName(env)}): needs a Box action space, got ${String(inner)}`);
    this.target = inner;
  }

  /** The agent-side action space. */
  abstract override get actionSpace(): Space;

  /** The env-side action for an agent-side `action`, as a new Float32Array. */
  abstract action(action: ArrayLike<number>): Float32Array;

  override step(action: Float32Array): StepResult<O> {
    assertAction(this.actionSpace, action, envName(this));
    return super.step(this.action(action));
  }
}
