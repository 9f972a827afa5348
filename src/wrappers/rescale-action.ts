/**
 * RescaleAction: lets an agent act in [min, max] (typically [−1, 1], a tanh policy's range) while
 * the env receives actions in its own Box [low, high], by the affine map of Gymnasium's wrapper.
 *
 * The map is exact at both ends: an agent action equal to `min` reaches the env as exactly `low`
 * and `max` as exactly `high`, so a saturated policy hits the env's true bounds rather than a
 * rounding error inside or outside them. Actions outside [min, max] are extrapolated, not
 * clipped (as Gymnasium; add ClipAction outside this wrapper to clip).
 *
 * The wrapper's own action space is Box(min, max) in float32, and the map is computed from that
 * space's float32 bounds, so a sample of it maps exactly as documented.
 */
import type { Env } from '../env.js';
import { Box, type Space, type SpaceValue } from '../spaces.js';
import { ActionWrapper } from './action-wrapper.js';
import { envName } from './wrapper.js';

export class RescaleAction<O extends SpaceValue = SpaceValue> extends ActionWrapper<O> {
  private readonly space: Box;

  /**
   * @param min the agent-side lower bound: a number for every component, or one per component
   * @param max the agent-side upper bound; must be strictly above `min` in every component
   */
  constructor(env: Env<O, Float32Array>, min: number | ArrayLike<number>, max: number | ArrayLike<number>) {
    super(env);
    const where = `RescaleAction(${envName(env)})`;
    const target = this.target;
    if (!target.isBounded()) throw new RangeError(`${where}: the env's action space ${target} has an infinite bound; an affine map needs finite bounds`);
    const lo = bounds(min, target.size, 'min', where);
    const hi = bounds(max, target.size, 'max', where);
    for (let i = 0; i < target.size; i++) {
      // An empty or degenerate agent-side interval has no affine map onto the env's interval.
      if (!(lo[i] < hi[i])) throw new RangeError(`${where}: min[${i}] = ${lo[i]} must be strictly below max[${i}] = ${hi[i]}`);
    }
    this.space = new Box(lo, hi, target.shape);
    for (let i = 0; i < target.size; i++) {
      if (!(this.space.low[i] < this.space.high[i])) {
        throw new RangeError(`${where}: min[${i}] = ${lo[i]} and max[${i}] = ${hi[i]} round to the same float32 value`);
      }
    }
  }

  override get actionSpace(): Space {
    return this.space;
  }

  /** The env-side action for an agent-side `action`. */
  action(action: ArrayLike<number>): Float32Array {
    const { low: min, high: max } = this.space;
    const { low, high } = this.target;
    const out = new Float32Array(action.length);
    for (let i = 0; i < action.length; i++) {
      const t = (action[i] - min[i]) / (max[i] - min[i]);
      const span = high[i] - low[i];
      // Interpolating from the nearer end makes t = 0 give low and t = 1 give high exactly.
      out[i] = t <= 0.5 ? low[i] + span * t : high[i] - span * (1 - t);
    }
    return out;
  }
}

function bounds(v: number | ArrayLike<number>, size: number, name: string, where: string): Float64Array {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`${where}: ${name} must be finite, got ${v}`);
    return new Float64Array(size).fill(v);
  }
  if (v?.length !== size) throw new RangeError(`${where}: ${name} has ${String(v?.length)} entries, the env's action space needs ${size}`);
  const out = Float64Array.from(v);
  out.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new RangeError(`${where}: ${name}[${i}] must be finite, got ${x}`);
  });
  return out;
}
