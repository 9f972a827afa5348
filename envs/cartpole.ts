import { z } from 'zod';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../src/env.js';
import { parseKwargs } from '../src/kwargs.js';
import { Box, Discrete } from '../src/spaces.js';
import { requireState, resetBounds } from './classic-control-utils.js';

const KwargsSchema = z.strictObject({
  /** Sutton & Barto's reward: 0 per step, −1 on termination (and after it). */
  sutton_barto_reward: z.boolean().default(false),
});

/** Constructor arguments of {@link CartPoleEnv} (Gymnasium's names). */
export type CartPoleKwargs = z.input<typeof KwargsSchema>;

/**
 * CartPole-v1: balance a pole on a cart by pushing it left or right, after Gymnasium 1.4
 * (dynamics from Barto, Sutton & Anderson 1983, with Florian's corrected equations).
 *
 * - Observation: `Float32Array [x, ẋ, θ, θ̇]`, bounds ±4.8, ±∞, ±24°, ±∞ (twice the
 *   termination limits, so the terminal observation is still inside).
 * - Action: Discrete(2): 0 pushes the cart with −10 N, 1 with +10 N.
 * - Dynamics: explicit Euler with τ = 0.02 s by default (positions advance with the old
 *   velocities); `kinematicsIntegrator = 'semi-implicit euler'` updates velocities first.
 * - Reward: +1 per step, the terminating step included; with `sutton_barto_reward`, 0 per step
 *   and −1 on termination.
 * - Terminated when |x| > 2.4 or |θ| > 12°; `make` truncates after 500 steps. Stepping after
 *   termination is allowed, as in Gymnasium, but gives reward 0 (−1 with Sutton & Barto's
 *   reward) and warns once.
 * - Reset: all four components ~ U(−0.05, 0.05) (reset options `low`, `high`).
 */
export class CartPoleEnv extends BaseEnv<Float32Array, number> {
  readonly gravity = 9.8;
  readonly masscart = 1.0;
  readonly masspole = 0.1;
  readonly totalMass = this.masspole + this.masscart;
  /** Half the pole's length. */
  readonly length = 0.5;
  readonly polemassLength = this.masspole * this.length;
  readonly forceMag = 10.0;
  /** Seconds between state updates. */
  readonly tau = 0.02;
  kinematicsIntegrator: 'euler' | 'semi-implicit euler' = 'euler';
  readonly thetaThresholdRadians = (12 * 2 * Math.PI) / 360;
  readonly xThreshold = 2.4;
  readonly suttonBartoReward: boolean;
  readonly observationSpace = new Box(
    [-this.xThreshold * 2, -Infinity, -this.thetaThresholdRadians * 2, -Infinity],
    [this.xThreshold * 2, Infinity, this.thetaThresholdRadians * 2, Infinity],
  );
  readonly actionSpace = new Discrete(2);
  override readonly metadata = { renderModes: ['ansi'], renderFps: 50 };
  /** `[x, ẋ, θ, θ̇]` in float64, as Gymnasium's `env.unwrapped.state`; null before the first reset. */
  state: Float64Array | number[] | null = null;
  /** Steps taken since the episode terminated; null while it has not. */
  stepsBeyondTerminated: number | null = null;
  private warned = false;

  constructor(kwargs: CartPoleKwargs = {}) {
    super();
    this.suttonBartoReward = parseKwargs('CartPole-v1', KwargsSchema, kwargs).sutton_barto_reward;
  }

  override reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    const [low, high] = resetBounds('CartPole-v1', options?.options, -0.05, 0.05);
    this.state = Float64Array.from({ length: 4 }, () => this.npRandom.uniform(low, high));
    this.stepsBeyondTerminated = null;
    return [Float32Array.from(this.state), {}];
  }

  override step(action: number): StepResult<Float32Array> {
    this.checkAction(action);
    let [x, xDot, theta, thetaDot] = requireState('CartPole-v1', this.state);
    const force = action === 1 ? this.forceMag : -this.forceMag;
    const cosTheta = Math.cos(theta);
    const sinTheta = Math.sin(theta);

    const temp = (force + this.polemassLength * (thetaDot * thetaDot) * sinTheta) / this.totalMass;
    const thetaAcc =
      (this.gravity * sinTheta - cosTheta * temp) /
      (this.length * (4.0 / 3.0 - (this.masspole * (cosTheta * cosTheta)) / this.totalMass));
    const xAcc = temp - (this.polemassLength * thetaAcc * cosTheta) / this.totalMass;

    if (this.kinematicsIntegrator === 'euler') {
      x = x + this.tau * xDot;
      xDot = xDot + this.tau * xAcc;
      theta = theta + this.tau * thetaDot;
      thetaDot = thetaDot + this.tau * thetaAcc;
    } else {
      xDot = xDot + this.tau * xAcc;
      x = x + this.tau * xDot;
      thetaDot = thetaDot + this.tau * thetaAcc;
      theta = theta + this.tau * thetaDot;
    }
    this.state = Float64Array.of(x, xDot, theta, thetaDot);

    const terminated =
      x < -this.xThreshold || x > this.xThreshold || theta < -this.thetaThresholdRadians || theta > this.thetaThresholdRadians;

    let reward: number;
    if (!terminated) {
      reward = this.suttonBartoReward ? 0.0 : 1.0;
    } else if (this.stepsBeyondTerminated === null) {
      // The pole just fell: this step still earns the usual reward (or Sutton & Barto's −1).
      this.stepsBeyondTerminated = 0;
      reward = this.suttonBartoReward ? -1.0 : 1.0;
    } else {
      if (this.stepsBeyondTerminated === 0 && !this.warned) {
        this.warned = true;
        console.warn(
          "CartPole-v1: step() called after the episode terminated; call reset() once terminated is true — further steps are undefined behaviour.",
        );
      }
      this.stepsBeyondTerminated += 1;
      reward = this.suttonBartoReward ? -1.0 : 0.0;
    }
    return [Float32Array.from(this.state), reward, terminated, false, {}];
  }

  /** One line: cart position and velocity, pole angle (degrees) and angular velocity. */
  render(): string {
    if (this.state === null) return 'CartPole: not reset';
    const [x, xDot, theta, thetaDot] = this.state;
    return `CartPole x=${x.toFixed(3)} ẋ=${xDot.toFixed(3)} θ=${((theta * 180) / Math.PI).toFixed(2)}° θ̇=${thetaDot.toFixed(3)}`;
  }
}
