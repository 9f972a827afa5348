import { z } from 'zod';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../src/env.js';
import { parseKwargs } from '../src/kwargs.js';
import { Box } from '../src/spaces.js';
import { numberOption, pyMod, requireState } from './classic-control-utils.js';

const KwargsSchema = z.strictObject({
  /** Gravitational acceleration (m/s²). */
  g: z.number().finite().default(10.0),
});

/** Constructor arguments of {@link PendulumEnv} (Gymnasium's names). */
export type PendulumKwargs = z.input<typeof KwargsSchema>;

/** θ wrapped to [−π, π) with Python's floored modulo, as Gymnasium's `angle_normalize`. */
export function angleNormalize(theta: number): number {
  return pyMod(theta + Math.PI, 2 * Math.PI) - Math.PI;
}

// Gymnasium clips and squares the torque in the action's dtype (float32, NumPy 2 promotion
// rules), so the cost's action term is rounded to float32 at each operation.
const F32_TORQUE_COST = Math.fround(0.001);

/**
 * Pendulum-v1: swing a frictionless pendulum up and hold it upright, after Gymnasium 1.4.
 *
 * - Observation: `Float32Array [cos θ, sin θ, θ̇]`, bounds ±1, ±1, ±8; θ = 0 is upright.
 * - Action: `Float32Array [torque]` in Box(−2, 2); values outside are clipped, not rejected.
 * - Reward: −(θₙ² + 0.1·θ̇² + 0.001·u²) from the state *before* the step, θₙ = θ wrapped
 *   to [−π, π); per-step range [−16.27, 0].
 * - Dynamics: semi-implicit Euler with dt 0.05: θ̇ is updated (and clipped to ±8) first, then θ
 *   moves with the new θ̇. θ itself is never wrapped in the state.
 * - Never terminates; `make('Pendulum-v1')` truncates after 200 steps.
 * - Reset: θ ~ U(−x_init, x_init), θ̇ ~ U(−y_init, y_init); defaults π and 1 (reset options
 *   `x_init`, `y_init`).
 * - Kwargs: `g` (default 10).
 */
export class PendulumEnv extends BaseEnv<Float32Array, Float32Array> {
  readonly maxSpeed = 8;
  readonly maxTorque = 2.0;
  readonly dt = 0.05;
  readonly g: number;
  readonly m = 1.0;
  readonly l = 1.0;
  readonly observationSpace = new Box([-1, -1, -8], [1, 1, 8]);
  readonly actionSpace = new Box(-2, 2, [1]);
  override readonly metadata = { renderModes: ['ansi'], renderFps: 30 };
  /** `[θ, θ̇]` in float64, as Gymnasium's `env.unwrapped.state`; null before the first reset. */
  state: Float64Array | number[] | null = null;
  /** The clipped torque of the last step (null after reset), for `render`. */
  lastU: number | null = null;

  constructor(kwargs: PendulumKwargs = {}) {
    super();
    this.g = parseKwargs('Pendulum-v1', KwargsSchema, kwargs).g;
  }

  override reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    const xInit = numberOption('Pendulum-v1', options?.options, 'x_init', Math.PI);
    const yInit = numberOption('Pendulum-v1', options?.options, 'y_init', 1.0);
    // Symmetric bounds, as Gymnasium enforces; the draws come in state order.
    const theta = this.npRandom.uniform(-xInit, xInit);
    const thetaDot = this.npRandom.uniform(-yInit, yInit);
    this.state = Float64Array.of(theta, thetaDot);
    this.lastU = null;
    return [this.observation(), {}];
  }

  override step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    const [th, thdot] = requireState('Pendulum-v1', this.state);
    const u = Math.min(Math.max(Math.fround(action[0]), -this.maxTorque), this.maxTorque);
    this.lastU = u;
    const thn = angleNormalize(th);
    const costs = thn * thn + 0.1 * (thdot * thdot) + Math.fround(F32_TORQUE_COST * Math.fround(u * u));

    const { g, l, m, dt } = this;
    let newThdot = thdot + (((3 * g) / (2 * l)) * Math.sin(th) + Math.fround((3.0 / (m * l * l)) * u)) * dt;
    newThdot = Math.min(Math.max(newThdot, -this.maxSpeed), this.maxSpeed);
    const newTh = th + newThdot * dt;
    this.state = Float64Array.of(newTh, newThdot);
    return [this.observation(), -costs, false, false, {}];
  }

  /** One line: angle (wrapped, degrees), angular velocity and last torque. */
  render(): string {
    if (this.state === null) return 'Pendulum: not reset';
    const deg = (angleNormalize(this.state[0]) * 180) / Math.PI;
    const u = this.lastU === null ? '-' : this.lastU.toFixed(3);
    return `Pendulum θ=${deg.toFixed(1)}° θ̇=${this.state[1].toFixed(3)} u=${u}`;
  }

  private observation(): Float32Array {
    const [theta, thetaDot] = this.state!;
    return Float32Array.of(Math.cos(theta), Math.sin(theta), thetaDot);
  }
}
