import { z } from 'zod';
import type { Info, StepResult } from '../../src/env.js';
import { parseKwargs } from '../../src/kwargs.js';
import { MujocoEnv } from './mujoco-env.js';

const ID = 'InvertedDoublePendulum-v5';

/**
 * The double cart-pole model, written from the dimensions in spec/environments.md §3.5: the cart
 * of InvertedPendulum on a ±1 m slider (limit margin 0.01), two 0.6 m poles of radius 0.045 on
 * unlimited hinges, damping 0.05 everywhere, no contacts, RK4 at 0.01 s, gravity with a 1e-5 x
 * component, a site `tip` at the end of the second pole, one motor with gear 500.
 */
export const INVERTED_DOUBLE_PENDULUM_XML = `<mujoco model="inverted_double_pendulum">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option gravity="1e-5 0 -9.81" integrator="RK4" timestep="0.01"/>
  <default>
    <joint damping="0.05" armature="0"/>
    <geom contype="0" friction="1 0.1 0.1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 -3" size="0 0 1"/>
    <geom name="rail" type="capsule" fromto="-1 0 0 1 0 0" size="0.02"/>
    <body name="cart" pos="0 0 0">
      <joint name="slider" type="slide" axis="1 0 0" pos="0 0 0" limited="true" range="-1 1" margin="0.01"/>
      <geom name="cart" type="capsule" pos="0 0 0" euler="0 90 0" size="0.1 0.1"/>
      <body name="pole" pos="0 0 0">
        <joint name="hinge" type="hinge" axis="0 1 0" pos="0 0 0" limited="false"/>
        <geom name="pole" type="capsule" fromto="0 0 0 0 0 0.6" size="0.045"/>
        <body name="pole2" pos="0 0 0.6">
          <joint name="hinge2" type="hinge" axis="0 1 0" pos="0 0 0" limited="false"/>
          <geom name="pole2" type="capsule" fromto="0 0 0 0 0 0.6" size="0.045"/>
          <site name="tip" pos="0 0 0.6" size="0.01"/>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="500" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;

const KwargsSchema = z.strictObject({
  /** Physics steps (0.01 s each) per env step. */
  frame_skip: z.number().int().positive().default(5),
  /** Paid each step while the tip is above 1 m. */
  healthy_reward: z.number().finite().default(10),
  /** Uniform qpos noise half-width and qvel noise standard deviation at reset. */
  reset_noise_scale: z.number().finite().nonnegative().default(0.1),
});

/** Constructor arguments of {@link InvertedDoublePendulumEnv} (Gymnasium's names). */
export type InvertedDoublePendulumKwargs = z.input<typeof KwargsSchema>;

const clip10 = (v: number) => Math.min(Math.max(v, -10), 10);

/**
 * InvertedDoublePendulum-v5: balance two poles in series on a cart, after Gymnasium 1.4
 * (spec/environments.md §3.5).
 *
 * - Observation (9): cart x, sin and cos of both hinge angles, qvel clipped to ±10, and the
 *   constraint force on the slider clipped to ±10.
 * - Action: `[force]` in Box(−1, 1) (gear 500).
 * - Reward: healthy_reward·[not terminated] − (0.01·x² + (z − 2)²) − (0.001·ω₁² + 0.005·ω₂²) with
 *   (x, z) the `tip` site's world position after the step; info `reward_survive`,
 *   `distance_penalty` and `velocity_penalty` (the penalties negative) sum to the reward.
 * - Terminates when the tip's z ≤ 1.
 * - Reset: qpos + U(−0.1, 0.1), qvel + 0.1·N(0, 1). dt 0.05 s; `make` truncates at 1000 steps.
 * - Kwargs: `frame_skip` (5), `healthy_reward` (10), `reset_noise_scale` (0.1).
 */
export class InvertedDoublePendulumEnv extends MujocoEnv {
  readonly healthyReward: number;

  constructor(kwargs: InvertedDoublePendulumKwargs = {}) {
    const kw = parseKwargs(ID, KwargsSchema, kwargs);
    super({
      name: ID,
      xml: INVERTED_DOUBLE_PENDULUM_XML,
      frameSkip: kw.frame_skip,
      observationSize: 9,
      resetNoiseScale: kw.reset_noise_scale,
      qposNoise: 'uniform',
      qvelNoise: 'normal',
    });
    this.healthyReward = kw.healthy_reward;
  }

  override step(action: Float32Array): StepResult<Float32Array> {
    this.doSimulation(action);
    const obs = this.observation();
    const tip = this.data.site_xpos as Float64Array;
    const x = tip[0];
    const y = tip[2];
    const qvel = this.data.qvel as Float64Array;
    const v1 = qvel[1];
    const v2 = qvel[2];
    const terminated = y <= 1;
    const distPenalty = 0.01 * x * x + (y - 2) * (y - 2);
    const velPenalty = 1e-3 * v1 * v1 + 5e-3 * v2 * v2;
    const aliveBonus = terminated ? 0 : this.healthyReward;
    const reward = aliveBonus - distPenalty - velPenalty;
    const info: Info = { reward_survive: aliveBonus, distance_penalty: -distPenalty, velocity_penalty: -velPenalty };
    return [obs, reward, terminated, false, info];
  }

  protected observation(): Float32Array {
    const data = this.data;
    const qpos = data.qpos as Float64Array;
    const qvel = data.qvel as Float64Array;
    const qfrc = data.qfrc_constraint as Float64Array;
    return Float32Array.of(
      qpos[0],
      Math.sin(qpos[1]),
      Math.sin(qpos[2]),
      Math.cos(qpos[1]),
      Math.cos(qpos[2]),
      clip10(qvel[0]),
      clip10(qvel[1]),
      clip10(qvel[2]),
      clip10(qfrc[0]),
    );
  }
}
