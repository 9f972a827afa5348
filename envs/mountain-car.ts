import { z } from 'zod';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../src/env.js';
import { parseKwargs } from '../src/kwargs.js';
import { Box, Discrete } from '../src/spaces.js';
import { requireState, resetBounds } from './classic-control-utils.js';

const KwargsSchema = z.strictObject({
  /** Minimal velocity at the goal for the episode to terminate. */
  goal_velocity: z.number().finite().default(0),
});

/** Constructor arguments of {@link MountainCarEnv} (Gymnasium's names). */
export type MountainCarKwargs = z.input<typeof KwargsSchema>;

/**
 * MountainCar-v0: rock an under-powered car out of a valley with three discrete pushes, after
 * Gymnasium 1.4 (Moore, 1990).
 *
 * - Observation: `Float32Array [position, velocity]`, bounds [−1.2, −0.07] to [0.6, 0.07].
 * - Action: Discrete(3): 0 pushes left, 1 does nothing, 2 pushes right.
 * - Dynamics: v += (a − 1)·0.001 − 0.0025·cos(3x), v clipped to ±0.07; x += v, x clipped to
 *   [−1.2, 0.6]; at the left wall a negative velocity becomes 0 (inelastic).
 * - Reward: −1 every step, the terminating one included.
 * - Terminated when x ≥ 0.5 and v ≥ goal_velocity; `make` truncates after 200 steps.
 * - Reset: x ~ U(−0.6, −0.4) (reset options `low`, `high`), v = 0.
 * - Kwargs: `goal_velocity` (default 0).
 *
 * Unlike the continuous version, Gymnasium keeps this state in float64 throughout; only the
 * observation is rounded to float32.
 */
export class MountainCarEnv extends BaseEnv<Float32Array, number> {
  readonly minPosition = -1.2;
  readonly maxPosition = 0.6;
  readonly maxSpeed = 0.07;
  readonly goalPosition = 0.5;
  readonly goalVelocity: number;
  readonly force = 0.001;
  readonly gravity = 0.0025;
  readonly observationSpace = new Box([-1.2, -0.07], [0.6, 0.07]);
  readonly actionSpace = new Discrete(3);
  override readonly metadata = { renderModes: ['ansi'], renderFps: 30 };
  /** `[position, velocity]` in float64, as Gymnasium's `env.unwrapped.state`; null before the first reset. */
  state: Float64Array | number[] | null = null;

  constructor(kwargs: MountainCarKwargs = {}) {
    super();
    this.goalVelocity = parseKwargs('MountainCar-v0', KwargsSchema, kwargs).goal_velocity;
  }

  override reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    const [low, high] = resetBounds('MountainCar-v0', options?.options, -0.6, -0.4);
    this.state = Float64Array.of(this.npRandom.uniform(low, high), 0);
    return [Float32Array.from(this.state), {}];
  }

  override step(action: number): StepResult<Float32Array> {
    this.checkAction(action);
    let [position, velocity] = requireState('MountainCar-v0', this.state);
    // Gymnasium sums the push and the gravity term before adding them to the velocity.
    velocity += (action - 1) * this.force + Math.cos(3 * position) * -this.gravity;
    velocity = Math.min(Math.max(velocity, -this.maxSpeed), this.maxSpeed);
    position += velocity;
    position = Math.min(Math.max(position, this.minPosition), this.maxPosition);
    if (position === this.minPosition && velocity < 0) velocity = 0;

    const terminated = position >= this.goalPosition && velocity >= this.goalVelocity;
    this.state = Float64Array.of(position, velocity);
    return [Float32Array.from(this.state), -1.0, terminated, false, {}];
  }

  /** One line: position, velocity and distance to the goal. */
  render(): string {
    if (this.state === null) return 'MountainCar: not reset';
    const [x, v] = this.state;
    return `MountainCar x=${x.toFixed(4)} v=${v.toFixed(5)} goal at ${this.goalPosition}`;
  }
}
