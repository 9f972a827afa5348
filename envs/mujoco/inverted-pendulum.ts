import { z } from 'zod';
import type { Info, StepResult } from '../../src/env.js';
import { parseKwargs } from '../../src/kwargs.js';
import { MujocoEnv } from './mujoco-env.js';

const ID = 'InvertedPendulum-v5';

/**
 * The cart-pole model, written from the dimensions in spec/environments.md §3.4: a 0.1 m-radius
 * capsule cart on a ±1 m slider, a 0.6 m pole of radius 0.049 on a ±90° hinge, both damped (1),
 * no contacts (contype 0), RK4 at 0.02 s, one motor on the slider with gear 100.
 */
export const INVERTED_PENDULUM_XML = `<mujoco model="inverted_pendulum">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option gravity="0 0 -9.81" integrator="RK4" timestep="0.02"/>
  <default>
    <joint limited="true" damping="1" armature="0"/>
    <geom contype="0" friction="1 0.1 0.1"/>
    <motor ctrllimited="true" ctrlrange="-3 3"/>
  </default>
  <worldbody>
    <geom name="rail" type="capsule" fromto="-1 0 0 1 0 0" size="0.02"/>
    <body name="cart" pos="0 0 0">
      <joint name="slider" type="slide" axis="1 0 0" pos="0 0 0" range="-1 1"/>
      <geom name="cart" type="capsule" pos="0 0 0" euler="0 90 0" size="0.1 0.1"/>
      <body name="pole" pos="0 0 0">
        <joint name="hinge" type="hinge" axis="0 1 0" pos="0 0 0" range="-90 90"/>
        <geom name="pole" type="capsule" fromto="0 0 0 0.001 0 0.6" size="0.049"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="100" ctrlrange="-3 3"/>
  </actuator>
</mujoco>
`;

const KwargsSchema = z.strictObject({
  /** Physics steps (0.02 s each) per env step. */
  frame_skip: z.number().int().positive().default(2),
  /** Half-width of the uniform noise added to qpos0 and zero velocity at reset. */
  reset_noise_scale: z.number().finite().nonnegative().default(0.01),
});

/** Constructor arguments of {@link InvertedPendulumEnv} (Gymnasium's names). */
export type InvertedPendulumKwargs = z.input<typeof KwargsSchema>;

/**
 * InvertedPendulum-v5: keep a pole upright on a cart, after Gymnasium 1.4 (spec/environments.md §3.4).
 *
 * - Observation: `Float32Array [cart x, pole angle, cart velocity, pole angular velocity]`.
 * - Action: `[force]` in Box(−3, 3) (gear 100); MuJoCo clamps out-of-range values.
 * - Reward: 1 per step while healthy, 0 on the terminating step; info `reward_survive`.
 * - Terminates when |pole angle| > 0.2 rad or an observation entry is not finite.
 * - Reset: qpos and qvel + U(−0.01, 0.01) each. dt 0.04 s; `make` truncates at 1000 steps.
 * - Kwargs: `frame_skip` (2), `reset_noise_scale` (0.01).
 */
export class InvertedPendulumEnv extends MujocoEnv {
  constructor(kwargs: InvertedPendulumKwargs = {}) {
    const kw = parseKwargs(ID, KwargsSchema, kwargs);
    super({ name: ID, xml: INVERTED_PENDULUM_XML, frameSkip: kw.frame_skip, observationSize: 4, resetNoiseScale: kw.reset_noise_scale });
  }

  override step(action: Float32Array): StepResult<Float32Array> {
    this.doSimulation(action);
    const obs = this.observation();
    // the float32 observation overflows to ±inf where the float64 state would not; check the state
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    const finite = Number.isFinite(qpos[0]) && Number.isFinite(qpos[1]) && Number.isFinite(qvel[0]) && Number.isFinite(qvel[1]);
    const terminated = !finite || Math.abs(qpos[1]) > 0.2;
    const reward = terminated ? 0 : 1;
    const info: Info = { reward_survive: reward };
    return [obs, reward, terminated, false, info];
  }

  protected observation(): Float32Array {
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    return Float32Array.of(qpos[0], qpos[1], qvel[0], qvel[1]);
  }
}
