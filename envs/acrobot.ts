import { z } from 'zod';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../src/env.js';
import { parseKwargs } from '../src/kwargs.js';
import { Box, Discrete } from '../src/spaces.js';
import { requireState, resetBounds } from './classic-control-utils.js';

// Gymnasium sets these two as class attributes rather than constructor arguments; accepting them
// as kwargs (same names) lets `make` configure them.
const KwargsSchema = z.strictObject({
  /** 'book' (Sutton & Barto, the default) or 'nips' (the 1995 paper, which misses a term). */
  book_or_nips: z.enum(['book', 'nips']).default('book'),
  /** Half-width of the uniform noise added to the torque (0 disables it). */
  torque_noise_max: z.number().finite().nonnegative().default(0.0),
});

/** Constructor arguments of {@link AcrobotEnv}. */
export type AcrobotKwargs = z.input<typeof KwargsSchema>;

/**
 * Gymnasium's `wrap`: shifts `x` by whole periods until it lies in [m, M]. Repeated
 * subtraction, not a modulo, so the rounding (and the closed interval) match exactly.
 */
export function wrap(x: number, m: number, M: number): number {
  const diff = M - m;
  while (x > M) x = x - diff;
  while (x < m) x = x + diff;
  return x;
}

/**
 * Acrobot-v1: swing the tip of a two-link chain above a line by torquing the middle joint,
 * after Gymnasium 1.4 (Sutton 1996; Sutton & Barto's book).
 *
 * - Observation: `Float32Array [cos θ1, sin θ1, cos θ2, sin θ2, θ̇1, θ̇2]`, bounds ±1 and
 *   ±4π, ±9π; θ1 = 0 hangs straight down, θ2 is relative to link 1.
 * - Action: Discrete(3): torque −1, 0, +1 on the joint between the links.
 * - Dynamics: one RK4 step of dt = 0.2 s (the torque held constant), then θ1, θ2 wrapped to
 *   [−π, π] and the velocities clipped to ±4π and ±9π.
 * - Reward: −1 per step, 0 on the terminating step.
 * - Terminated when −cos θ1 − cos(θ1 + θ2) > 1 (the tip one link length above the pivot);
 *   `make` truncates after 500 steps.
 * - Reset: all four state components ~ U(−0.1, 0.1) (reset options `low`, `high`), rounded to
 *   float32 as Gymnasium stores them; the state is float64 after the first step.
 * - Kwargs (our extension of Gymnasium's class attributes): `book_or_nips`, `torque_noise_max`.
 */
export class AcrobotEnv extends BaseEnv<Float32Array, number> {
  readonly dt = 0.2;
  readonly LINK_LENGTH_1 = 1.0;
  readonly LINK_LENGTH_2 = 1.0;
  readonly LINK_MASS_1 = 1.0;
  readonly LINK_MASS_2 = 1.0;
  /** Position of link 1's centre of mass along the link. */
  readonly LINK_COM_POS_1 = 0.5;
  readonly LINK_COM_POS_2 = 0.5;
  /** Moment of inertia of each link. */
  readonly LINK_MOI = 1.0;
  readonly MAX_VEL_1 = 4 * Math.PI;
  readonly MAX_VEL_2 = 9 * Math.PI;
  readonly AVAIL_TORQUE: readonly number[] = [-1.0, 0.0, 1];
  /** Which equations to integrate; mutable, as Gymnasium's `env.unwrapped.book_or_nips`. */
  bookOrNips: 'book' | 'nips';
  torqueNoiseMax: number;
  readonly observationSpace = new Box([-1, -1, -1, -1, -4 * Math.PI, -9 * Math.PI], [1, 1, 1, 1, 4 * Math.PI, 9 * Math.PI]);
  readonly actionSpace = new Discrete(3);
  override readonly metadata = { renderModes: ['ansi'], renderFps: 15 };
  /** `[θ1, θ2, θ̇1, θ̇2]`, as Gymnasium's `env.unwrapped.state`; null before the first reset. */
  state: Float64Array | number[] | null = null;

  constructor(kwargs: AcrobotKwargs = {}) {
    super();
    const k = parseKwargs('Acrobot-v1', KwargsSchema, kwargs);
    this.bookOrNips = k.book_or_nips;
    this.torqueNoiseMax = k.torque_noise_max;
  }

  override reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    const [low, high] = resetBounds('Acrobot-v1', options?.options, -0.1, 0.1);
    this.state = Float64Array.from({ length: 4 }, () => Math.fround(this.npRandom.uniform(low, high)));
    return [this.observation(), {}];
  }

  override step(action: number): StepResult<Float32Array> {
    this.checkAction(action);
    const s = requireState('Acrobot-v1', this.state);
    let torque = this.AVAIL_TORQUE[action];
    if (this.torqueNoiseMax > 0) torque += this.npRandom.uniform(-this.torqueNoiseMax, this.torqueNoiseMax);

    const ns = this.rk4([s[0], s[1], s[2], s[3]], torque);
    ns[0] = wrap(ns[0], -Math.PI, Math.PI);
    ns[1] = wrap(ns[1], -Math.PI, Math.PI);
    ns[2] = Math.min(Math.max(ns[2], -this.MAX_VEL_1), this.MAX_VEL_1);
    ns[3] = Math.min(Math.max(ns[3], -this.MAX_VEL_2), this.MAX_VEL_2);
    this.state = Float64Array.from(ns);

    const terminated = -Math.cos(ns[0]) - Math.cos(ns[1] + ns[0]) > 1.0;
    return [this.observation(), terminated ? 0.0 : -1.0, terminated, false, {}];
  }

  /** One line: both angles (degrees), both angular velocities and the tip height. */
  render(): string {
    if (this.state === null) return 'Acrobot: not reset';
    const [t1, t2, d1, d2] = this.state;
    const deg = (a: number) => ((a * 180) / Math.PI).toFixed(1);
    const tip = -Math.cos(t1) - Math.cos(t1 + t2);
    return `Acrobot θ1=${deg(t1)}° θ2=${deg(t2)}° θ̇1=${d1.toFixed(3)} θ̇2=${d2.toFixed(3)} tip height=${tip.toFixed(3)} (goal > 1)`;
  }

  /** One classical Runge–Kutta step over [0, dt], with the order of operations Gymnasium uses. */
  private rk4(y0: number[], torque: number): number[] {
    const dt = this.dt - 0;
    const dt2 = dt / 2.0;
    const k1 = this.dsdt(y0, torque);
    const k2 = this.dsdt(y0.map((y, i) => y + dt2 * k1[i]), torque);
    const k3 = this.dsdt(y0.map((y, i) => y + dt2 * k2[i]), torque);
    const k4 = this.dsdt(y0.map((y, i) => y + dt * k3[i]), torque);
    const h = dt / 6.0;
    return y0.map((y, i) => y + h * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
  }

  /** Time derivative of the state under a constant torque `a` (Lagrangian equations of motion). */
  private dsdt(s: number[], a: number): number[] {
    const m1 = this.LINK_MASS_1;
    const m2 = this.LINK_MASS_2;
    const l1 = this.LINK_LENGTH_1;
    const lc1 = this.LINK_COM_POS_1;
    const lc2 = this.LINK_COM_POS_2;
    const I1 = this.LINK_MOI;
    const I2 = this.LINK_MOI;
    const g = 9.8;
    const [theta1, theta2, dtheta1, dtheta2] = s;
    const d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * Math.cos(theta2)) + I1 + I2;
    const d2 = m2 * (lc2 ** 2 + l1 * lc2 * Math.cos(theta2)) + I2;
    const phi2 = m2 * lc2 * g * Math.cos(theta1 + theta2 - Math.PI / 2.0);
    const phi1 =
      -m2 * l1 * lc2 * (dtheta2 * dtheta2) * Math.sin(theta2) -
      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * Math.sin(theta2) +
      (m1 * lc1 + m2 * l1) * g * Math.cos(theta1 - Math.PI / 2) +
      phi2;
    let ddtheta2: number;
    if (this.bookOrNips === 'nips') {
      // The paper's equation, kept for reproducing it; it lacks the centripetal term below.
      ddtheta2 = (a + (d2 / d1) * phi1 - phi2) / (m2 * lc2 ** 2 + I2 - (d2 * d2) / d1);
    } else {
      ddtheta2 = (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * Math.sin(theta2) - phi2) / (m2 * lc2 ** 2 + I2 - (d2 * d2) / d1);
    }
    const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    return [dtheta1, dtheta2, ddtheta1, ddtheta2];
  }

  private observation(): Float32Array {
    const s = this.state!;
    return Float32Array.of(Math.cos(s[0]), Math.sin(s[0]), Math.cos(s[1]), Math.sin(s[1]), s[2], s[3]);
  }
}
