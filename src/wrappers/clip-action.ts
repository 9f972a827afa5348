/**
 * ClipAction: clips Box actions to the env's bounds before they reach it, as Gymnasium's wrapper.
 *
 * Since Gymnasium 1.0 the wrapper reports its own action space as unbounded, Box(−∞, ∞), with the
 * env's shape: any finite action is valid input, which is what the wrapper promises. The env's
 * bounds stay reachable as `env.actionSpace`. A Gaussian policy can thus explore freely while the
 * env only ever sees in-range actions.
 */
import type { Env } from '../env.js';
import { Box, type Space, type SpaceValue } from '../spaces.js';
import { ActionWrapper } from './action-wrapper.js';

export class ClipAction<O extends SpaceValue = SpaceValue> extends ActionWrapper<O> {
  private readonly space: Box;

  constructor(env: Env<O, Float32Array>) {
    super(env);
    this.space = new Box(-Infinity, Infinity, this.target.shape);
  }

  override get actionSpace(): Space {
    return this.space;
  }

  /** `action` clipped into the env's bounds, as a new Float32Array. */
  action(action: ArrayLike<number>): Float32Array {
    const { low, high } = this.target;
    const out = new Float32Array(action.length);
    for (let i = 0; i < action.length; i++) out[i] = Math.min(Math.max(action[i], low[i]), high[i]);
    return out;
  }
}
