import { z } from 'zod';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../src/env.js';
import { parseKwargs } from '../src/kwargs.js';
import { Box } from '../src/spaces.js';
import { requireState, resetBounds } from './classic-control-utils.js';

const KwargsSchema = z.strictObject({
  /** Minimal velocity at the goal for the episode to terminate. */
  goal_velocity: z.number().finite().default(0),
});

/** Constructor arguments of {@link MountainCarContinuousEnv} (Gymnasium's names). */
export type MountainCarContinuousKwargs = z.input<typeof KwargsSchema>;

const f32 = Math.fround;

/**
 * MountainCarContinuous-v0: drive an under-powered car up the right hill, after Gymnasium 1.4.
 *
 * - Observation: `Float32Array [position, velocity]`, bounds [−1.2, −0.07] to [0.6, 0.07].
 * - Action: `Float32Array [force]` in Box(−1, 1); values outside are clipped, not rejected.
 * - Dynamics: v += force·0.0015 − 0.0025·cos(3x), v clipped to ±0.07; x += v, x clipped to
 *   [−1.2, 0.6]; at the left wall a negative velocity becomes 0 (inelastic).
 * - Reward: −0.1·a² with the *unclipped* action, plus 100 on the step that reaches the goal.
 * - Terminated when x ≥ 0.45 and v ≥ goal_velocity; `make` truncates after 999 steps.
 * - Reset: x ~ U(−0.6, −0.4) (reset options `low`, `high`), v = 0.
 * - Kwargs: `goal_velocity` (default 0).
 *
 * Gymnasium keeps the state as a float32 array after every step (float64 right after reset) and
 * NumPy 2 computes float32 scalars with Python floats in float32, so `step` follows those
 * rounding rules; `state` being a `Float32Array` or not selects which path applies.
 */
export class MountainCarContinuousEnv extends BaseEnv<Float32Array, Float32Array> {
  readonly minAction = -1.0;
  readonly maxAction = 1.0;
  readonly minPosition = -1.2;
  readonly maxPosition = 0.6;
  readonly maxSpeed = 0.07;
  readonly goalPosition = 0.45;
  readonly goalVelocity: number;
  readonly power = 0.0015;
  readonly observationSpace = new Box([-1.2, -0.07], [0.6, 0.07]);
  readonly actionSpace = new Box(-1, 1, [1]);
  override readonly metadata = { renderModes: ['ansi'], renderFps: 30 };
  /**
   * `[position, velocity]` as Gymnasium's `env.unwrapped.state`: a `Float32Array` after a step
   * (float32 state), a `Float64Array` after reset; null before the first reset.
   */
  state: Float32Array | Float64Array | number[] | null = null;

  constructor(kwargs: MountainCarContinuousKwargs = {}) {
    super();
    this.goalVelocity = parseKwargs('MountainCarContinuous-v0', KwargsSchema, kwargs).goal_velocity;
  }

  override reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    const [low, high] = resetBounds('MountainCarContinuous-v0', options?.options, -0.6, -0.4);
    this.state = Float64Array.of(this.npRandom.uniform(low, high), 0);
    return [Float32Array.from(this.state), {}];
  }

  override step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    const state = requireState('MountainCarContinuous-v0', this.state);
    const stateF32 = state instanceof Float32Array;
    let position = state[0];
    let velocity = state[1];
    const a = f32(action[0]);
    // Python's min/max return the float32 action itself when it is in range, and the Python
    // float bound (a double) when it is clipped: that decides the precision of what follows.
    const forceF32 = a >= this.minAction && a <= this.maxAction;
    const force = Math.min(Math.max(a, this.minAction), this.maxAction);
    const gravityTerm = 0.0025 * Math.cos(stateF32 ? f32(3 * position) : 3 * position);
    const accel = forceF32 ? f32(f32(force * f32(this.power)) - f32(gravityTerm)) : force * this.power - gravityTerm;

    // Track which values are NumPy float32 scalars: their sums and comparisons with Python
    // floats happen in float32; a clipped value becomes a Python float (a double).
    let velocityF32 = stateF32;
    velocity = stateF32 ? f32(velocity + f32(accel)) : velocity + accel;
    const cast = (x: number, isF32: boolean) => (isF32 ? f32(x) : x);
    if (velocity > cast(this.maxSpeed, velocityF32)) {
      velocity = this.maxSpeed;
      velocityF32 = false;
    }
    if (velocity < cast(-this.maxSpeed, velocityF32)) {
      velocity = -this.maxSpeed;
      velocityF32 = false;
    }
    let positionF32 = stateF32;
    position = stateF32 ? f32(position + f32(velocity)) : position + velocity;
    if (position > cast(this.maxPosition, positionF32)) {
      position = this.maxPosition;
      positionF32 = false;
    }
    if (position < cast(this.minPosition, positionF32)) {
      position = this.minPosition;
      positionF32 = false;
    }
    if (position === cast(this.minPosition, positionF32) && velocity < 0) velocity = 0;

    const terminated = position >= cast(this.goalPosition, positionF32) && velocity >= cast(this.goalVelocity, velocityF32);
    // The unclipped action is penalised, so out-of-range actions cost more than the bound.
    const reward = (terminated ? 100.0 : 0) - a * a * 0.1;
    this.state = Float32Array.of(position, velocity);
    return [Float32Array.from(this.state), reward, terminated, false, {}];
  }

  /** One line: position, velocity and distance to the goal. */
  render(): string {
    if (this.state === null) return 'MountainCarContinuous: not reset';
    const [x, v] = this.state;
    return `MountainCarContinuous x=${x.toFixed(4)} v=${v.toFixed(5)} goal at ${this.goalPosition}`;
  }
}
