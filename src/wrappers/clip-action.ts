/**
 * ClipAction: clips Box actions to the env's bounds before they reach it, as Gymnasium's wrapper.
 *
 * Since Gymnasium 1.0 the wrapper reports its own action space as unbounded, Box(−∞, ∞), with the
 * env's shape: any finite action is valid input, which is what the wrapper promises. The env's
 * bounds stay reachable as `env.actionSpace`. A Gaussian policy can thus explore freely while the
 * env only ever sees in-range actions.
 */
import { assertAction, type Env, type StepResult } from '../env.js';
import { Box, type Space, type SpaceValue } from '../spaces.js';
import { envName, Wrapper } from './wrapper.js';

export class ClipAction<O extends SpaceValue = SpaceValue> extends Wrapper<O, Float32Array> {
  private readonly space: Box;
  private readonly bounds: Box;

  constructor(env: Env<O, Float32Array>) {
    super(env);
    const inner = env.actionSpace;
    if (!(inner instanceof Box)) throw new TypeError(`ClipAction(${envName(env)}): needs a Box action space, got ${String(inner)}`);
    this.bounds = inner;
    this.space = new Box(-Infinity, Infinity, inner.shape);
  }

  override get actionSpace(): Space {
    return this.space;
  }

  override step(action: Float32Array): StepResult<O> {
    // Length and finiteness still matter: a NaN would pass through the clip unnoticed.
    assertAction(this.space, action, envName(this));
    return super.step(this.action(action));
  }

  /** `action` clipped into the env's bounds, as a new Float32Array. */
  action(action: ArrayLike<number>): Float32Array {
    const { low, high } = this.bounds;
    const out = new Float32Array(action.length);
    for (let i = 0; i < action.length; i++) out[i] = Math.min(Math.max(action[i], low[i]), high[i]);
    return out;
  }
}
