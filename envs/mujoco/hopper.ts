import { z } from 'zod';
import { parseKwargs } from '../../src/kwargs.js';
import { PlanarWalkerEnv, planarWalkerKwargs } from './planar-walker.js';

const ID = 'Hopper-v5';

/**
 * The one-legged hopper, written from the tables in spec/environments.md §3.6 (body-frame
 * coordinates derived from the world positions at qpos0): torso, thigh, leg and foot capsules,
 * hinges about −y with armature 1 and damping 1, the root on rootx/rootz(ref 1.25)/rooty, RK4 at
 * 0.002 s, three motors with gear 200.
 */
export const HOPPER_XML = `<mujoco model="hopper">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.002"/>
  <default>
    <joint limited="true" armature="1" damping="1"/>
    <geom contype="1" conaffinity="1" condim="1" margin="0.001" solimp="0.8 0.8 0.01" solref="0.02 1"/>
    <motor ctrllimited="true" ctrlrange="-0.4 0.4"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="20 20 0.125" condim="3" friction="1 0.005 0.0001"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 -1.25" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 -1.25" ref="1.25" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <geom name="torso" type="capsule" fromto="0 0 -0.2 0 0 0.2" size="0.05" friction="0.9"/>
      <body name="thigh" pos="0 0 -0.2">
        <joint name="thigh_joint" type="hinge" axis="0 -1 0" pos="0 0 0" range="-150 0"/>
        <geom name="thigh" type="capsule" fromto="0 0 -0.45 0 0 0" size="0.05" friction="0.9"/>
        <body name="leg" pos="0 0 -0.7">
          <joint name="leg_joint" type="hinge" axis="0 -1 0" pos="0 0 0.25" range="-150 0"/>
          <geom name="leg" type="capsule" fromto="0 0 -0.25 0 0 0.25" size="0.04" friction="0.9"/>
          <body name="foot" pos="0.13 0 -0.35">
            <joint name="foot_joint" type="hinge" axis="0 -1 0" pos="-0.13 0 0.1" range="-45 45"/>
            <geom name="foot" type="capsule" fromto="-0.26 0 0.1 0.13 0 0.1" size="0.06" friction="2.0"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="thigh_joint" gear="200" ctrlrange="-1 1"/>
    <motor joint="leg_joint" gear="200" ctrlrange="-1 1"/>
    <motor joint="foot_joint" gear="200" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;

const KwargsSchema = z.strictObject({
  ...planarWalkerKwargs([0.7, Infinity], [-0.2, 0.2]),
  /** Open interval for every entry of qpos[2:] and qvel. */
  healthy_state_range: z.tuple([z.number(), z.number()]).default([-100, 100]),
});

/** Constructor arguments of {@link HopperEnv} (Gymnasium's names). */
export type HopperKwargs = z.input<typeof KwargsSchema>;

/**
 * Hopper-v5: make a one-legged hopper hop forward, after Gymnasium 1.4 (spec/environments.md §3.6).
 *
 * - Observation (11): torso height, pitch, three joint angles, six velocities clipped to ±10.
 * - Action (3): Box(−1, 1) on thigh, leg and foot joints (gear 200).
 * - Reward and info: see {@link PlanarWalkerEnv}; healthy reward 1, ctrl cost 1e-3.
 * - Healthy: qpos[2:] and all qvel in (−100, 100), height in (0.7, ∞), pitch in (−0.2, 0.2).
 * - Reset: qpos0 = (0, 1.25, 0, 0, 0, 0), qpos and qvel + U(−0.005, 0.005). dt 0.008 s.
 */
export class HopperEnv extends PlanarWalkerEnv {
  readonly healthyStateRange: [number, number];

  constructor(kwargs: HopperKwargs = {}) {
    const kw = parseKwargs(ID, KwargsSchema, kwargs);
    super({ name: ID, xml: HOPPER_XML, frameSkip: kw.frame_skip, resetNoiseScale: kw.reset_noise_scale }, kw, 6);
    this.healthyStateRange = kw.healthy_state_range;
  }

  protected isHealthy(qpos: Float64Array, qvel: Float64Array): boolean {
    const [lo, hi] = this.healthyStateRange;
    for (let i = 2; i < qpos.length; i++) if (!(qpos[i] > lo && qpos[i] < hi)) return false;
    for (let i = 0; i < qvel.length; i++) if (!(qvel[i] > lo && qvel[i] < hi)) return false;
    const [zLo, zHi] = this.config.healthy_z_range;
    const [aLo, aHi] = this.config.healthy_angle_range;
    return qpos[1] > zLo && qpos[1] < zHi && qpos[2] > aLo && qpos[2] < aHi;
  }
}
