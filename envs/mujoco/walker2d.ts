import { z } from 'zod';
import { parseKwargs } from '../../src/kwargs.js';
import { PlanarWalkerEnv, planarWalkerKwargs } from './planar-walker.js';

const ID = 'Walker2d-v5';

/** One leg (thigh, leg, foot) hanging from the torso; `suffix` names the left copy. */
function walkerLeg(suffix: string): string {
  return `      <body name="thigh${suffix}" pos="0 0 -0.2">
        <joint name="thigh${suffix}_joint" type="hinge" axis="0 -1 0" pos="0 0 0" range="-150 0"/>
        <geom name="thigh${suffix}" type="capsule" fromto="0 0 -0.45 0 0 0" size="0.05" friction="0.9"/>
        <body name="leg${suffix}" pos="0 0 -0.7">
          <joint name="leg${suffix}_joint" type="hinge" axis="0 -1 0" pos="0 0 0.25" range="-150 0"/>
          <geom name="leg${suffix}" type="capsule" fromto="0 0 -0.25 0 0 0.25" size="0.04" friction="0.9"/>
          <body name="foot${suffix}" pos="0.2 0 -0.35">
            <joint name="foot${suffix}_joint" type="hinge" axis="0 -1 0" pos="-0.2 0 0.1" range="-45 45"/>
            <geom name="foot${suffix}" type="capsule" fromto="-0.2 0 0.1 0 0 0.1" size="0.06" friction="1.9"/>
          </body>
        </body>
      </body>`;
}

/**
 * The planar biped, written from the tables in spec/environments.md §3.7 (body-frame coordinates
 * derived from the world positions at qpos0): Hopper's torso on rootx/rootz(ref 1.25)/rooty, two
 * identical legs whose feet both have friction 1.9 (v5), limbs colliding only with the floor,
 * hinges with armature 0.01 and damping 0.1, RK4 at 0.002 s, six motors with gear 100.
 */
export const WALKER2D_XML = `<mujoco model="walker2d">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.002"/>
  <default>
    <joint limited="true" armature="0.01" damping="0.1"/>
    <geom contype="1" conaffinity="0" condim="3" density="1000" friction="0.7 0.1 0.1"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3" friction="0.7 0.1 0.1"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 -1.25" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 -1.25" ref="1.25" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <geom name="torso" type="capsule" fromto="0 0 -0.2 0 0 0.2" size="0.05" friction="0.9"/>
${walkerLeg('')}
${walkerLeg('_left')}
    </body>
  </worldbody>
  <actuator>
${['thigh', 'leg', 'foot', 'thigh_left', 'leg_left', 'foot_left'].map((j) => `    <motor joint="${j}_joint" gear="100" ctrlrange="-1 1"/>`).join('\n')}
  </actuator>
</mujoco>
`;

const KwargsSchema = z.strictObject(planarWalkerKwargs([0.8, 2.0], [-1, 1]));

/** Constructor arguments of {@link Walker2dEnv} (Gymnasium's names). */
export type Walker2dKwargs = z.input<typeof KwargsSchema>;

/**
 * Walker2d-v5: make a planar biped walk forward, after Gymnasium 1.4 (spec/environments.md §3.7).
 *
 * - Observation (17): torso height, pitch, six joint angles (right leg, then left), nine
 *   velocities clipped to ±10.
 * - Action (6): Box(−1, 1) on thigh, leg, foot, thigh_left, leg_left, foot_left (gear 100).
 * - Reward and info: see {@link PlanarWalkerEnv}; healthy reward 1, ctrl cost 1e-3.
 * - Healthy: height in (0.8, 2), pitch in (−1, 1); no state-range check (as Gymnasium's code).
 * - Reset: qpos0 = (0, 1.25, 0, …), qpos and qvel + U(−0.005, 0.005). dt 0.008 s; no reward threshold.
 */
export class Walker2dEnv extends PlanarWalkerEnv {
  constructor(kwargs: Walker2dKwargs = {}) {
    const kw = parseKwargs(ID, KwargsSchema, kwargs);
    super({ name: ID, xml: WALKER2D_XML, frameSkip: kw.frame_skip, resetNoiseScale: kw.reset_noise_scale }, kw, 9);
  }

  protected isHealthy(qpos: Float64Array): boolean {
    const [zLo, zHi] = this.config.healthy_z_range;
    const [aLo, aHi] = this.config.healthy_angle_range;
    return qpos[1] > zLo && qpos[1] < zHi && qpos[2] > aLo && qpos[2] < aHi;
  }
}
