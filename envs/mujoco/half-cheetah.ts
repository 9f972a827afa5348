import { z } from 'zod';
import type { Info, StepResult } from '../../src/env.js';
import { parseKwargs } from '../../src/kwargs.js';
import { controlCost, MujocoEnv } from './mujoco-env.js';

const ID = 'HalfCheetah-v5';

// One leg segment: [body, parent-relative position, joint range, stiffness, damping,
// geom centre, geom half-length, geom rotation about y (rad), gear]; spec/environments.md §3.8.
type Segment = [name: string, pos: string, range: string, stiffness: number, damping: number, centre: string, halfLength: number, angle: number, gear: number];

const BACK_LEG: Segment[] = [
  ['bthigh', '-0.5 0 0', '-0.52 1.05', 240, 6, '0.1 0 -0.13', 0.145, -3.8, 120],
  ['bshin', '0.16 0 -0.25', '-0.785 0.785', 180, 4.5, '-0.14 0 -0.07', 0.15, -2.03, 90],
  ['bfoot', '-0.28 0 -0.14', '-0.4 0.785', 120, 3, '0.03 0 -0.097', 0.094, -0.27, 60],
];
const FRONT_LEG: Segment[] = [
  ['fthigh', '0.5 0 0', '-1 0.7', 180, 4.5, '-0.07 0 -0.12', 0.133, 0.52, 120],
  ['fshin', '-0.14 0 -0.24', '-1.2 0.87', 120, 3, '0.065 0 -0.09', 0.106, -0.6, 60],
  ['ffoot', '0.13 0 -0.18', '-0.5 0.5', 60, 1.5, '0.045 0 -0.07', 0.07, -0.6, 30],
];

/** A chain of segments, each body nested in the previous one. */
function legXml(segments: Segment[], indent: string): string {
  const [first, ...rest] = segments;
  const [name, pos, range, stiffness, damping, centre, half, angle] = first;
  const inner = rest.length > 0 ? `\n${legXml(rest, indent + '  ')}` : '';
  return (
    `${indent}<body name="${name}" pos="${pos}">\n` +
    `${indent}  <joint name="${name}" type="hinge" axis="0 1 0" pos="0 0 0" range="${range}" stiffness="${stiffness}" damping="${damping}"/>\n` +
    `${indent}  <geom name="${name}" type="capsule" pos="${centre}" axisangle="0 1 0 ${angle}" size="0.046 ${half}"/>` +
    `${inner}\n${indent}</body>`
  );
}

/**
 * The planar cheetah, written from the tables in spec/environments.md §3.8: a 1 m torso capsule
 * with a head, two three-segment legs on sprung, damped hinges, capsules of radius 0.046 whose
 * masses are rescaled to a 14 kg total, Euler at 0.01 s, and contacts only with the floor.
 */
export const HALF_CHEETAH_XML = `<mujoco model="half_cheetah">
  <compiler angle="radian" inertiafromgeom="true" settotalmass="14"/>
  <option gravity="0 0 -9.81" timestep="0.01" integrator="Euler"/>
  <default>
    <joint limited="true" armature="0.1" damping="0.01" stiffness="8" solimplimit="0 0.8 0.03" solreflimit="0.02 1"/>
    <geom contype="1" conaffinity="0" condim="3" friction="0.4 0.1 0.1" solimp="0 0.8 0.01" solref="0.02 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3" friction="0.4 0.1 0.1"/>
    <body name="torso" pos="0 0 0.7">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <geom name="torso" type="capsule" fromto="-0.5 0 0 0.5 0 0" size="0.046"/>
      <geom name="head" type="capsule" pos="0.6 0 0.1" axisangle="0 1 0 0.87" size="0.046 0.15"/>
${legXml(BACK_LEG, '      ')}
${legXml(FRONT_LEG, '      ')}
    </body>
  </worldbody>
  <actuator>
${[...BACK_LEG, ...FRONT_LEG].map(([name, , , , , , , , gear]) => `    <motor name="${name}" joint="${name}" gear="${gear}"/>`).join('\n')}
  </actuator>
</mujoco>
`;

const KwargsSchema = z.strictObject({
  /** Physics steps (0.01 s each) per env step. */
  frame_skip: z.number().int().positive().default(5),
  forward_reward_weight: z.number().finite().default(1.0),
  ctrl_cost_weight: z.number().finite().default(0.1),
  /** Uniform qpos noise half-width and qvel noise standard deviation at reset. */
  reset_noise_scale: z.number().finite().nonnegative().default(0.1),
  /** Leave the x position (qpos[0]) out of the observation (17 entries instead of 18). */
  exclude_current_positions_from_observation: z.boolean().default(true),
});

/** Constructor arguments of {@link HalfCheetahEnv} (Gymnasium's names). */
export type HalfCheetahKwargs = z.input<typeof KwargsSchema>;

/**
 * HalfCheetah-v5: make a planar cheetah run forward, after Gymnasium 1.4 (spec/environments.md §3.8).
 *
 * - Observation (17): qpos[1..8] (torso height offset, pitch, six joint angles), then qvel[0..8];
 *   18 with qpos[0] first when `exclude_current_positions_from_observation` is false.
 * - Action (6): Box(−1, 1) on bthigh, bshin, bfoot, fthigh, fshin, ffoot (gears 120, 90, 60, 120, 60, 30).
 * - Reward: forward_reward_weight·ẋ − ctrl_cost_weight·‖a‖², ẋ = Δqpos[0]/dt; info
 *   `reward_forward` + `reward_ctrl` = reward, plus `x_position`, `x_velocity`. The control cost
 *   is rounded to float32 as Gymnasium's (float32 action, NumPy 2 promotion).
 * - Never terminates; `make` truncates at 1000 steps. Reset: qpos + U(−0.1, 0.1), qvel + 0.1·N(0, 1).
 */
export class HalfCheetahEnv extends MujocoEnv {
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly excludeCurrentPositions: boolean;

  constructor(kwargs: HalfCheetahKwargs = {}) {
    const kw = parseKwargs(ID, KwargsSchema, kwargs);
    const exclude = kw.exclude_current_positions_from_observation;
    super({
      name: ID,
      xml: HALF_CHEETAH_XML,
      frameSkip: kw.frame_skip,
      observationSize: exclude ? 17 : 18,
      resetNoiseScale: kw.reset_noise_scale,
      qposNoise: 'uniform',
      qvelNoise: 'normal',
    });
    this.forwardRewardWeight = kw.forward_reward_weight;
    this.ctrlCostWeight = kw.ctrl_cost_weight;
    this.excludeCurrentPositions = exclude;
  }

  override step(action: Float32Array): StepResult<Float32Array> {
    const xBefore = (this.data.qpos as Float64Array)[0];
    this.doSimulation(action);
    const xAfter = (this.data.qpos as Float64Array)[0];
    const xVelocity = (xAfter - xBefore) / this.dt;
    const forwardReward = this.forwardRewardWeight * xVelocity;
    const ctrlCost = controlCost(this.ctrlCostWeight, action);
    const reward = forwardReward - ctrlCost;
    const info: Info = { x_position: xAfter, x_velocity: xVelocity, reward_forward: forwardReward, reward_ctrl: -ctrlCost };
    return [this.observation(), reward, false, false, info];
  }

  protected override resetInfo(): Info {
    return { x_position: (this.data.qpos as Float64Array)[0] };
  }

  protected observation(): Float32Array {
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    const skip = this.excludeCurrentPositions ? 1 : 0;
    const obs = new Float32Array(qpos.length - skip + qvel.length);
    obs.set(qpos.subarray(skip));
    obs.set(qvel, qpos.length - skip);
    return obs;
  }
}
