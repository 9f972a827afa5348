import { z } from 'zod';
import type { Info, StepResult } from '../../src/env.js';
import { parseKwargs } from '../../src/kwargs.js';
import { controlCost, MujocoEnv } from './mujoco-env.js';

const ID = 'Ant-v5';

// Legs 1–4 (front left, front right, back left, back right): the sign of x and y of the leg's
// direction, the name of the rigid leg link, and the ankle axis and range (degrees).
const LEGS: [sx: number, sy: number, link: string, ankleAxis: string, ankleRange: string][] = [
  [1, 1, 'front_left_leg', '-1 1 0', '30 70'],
  [-1, 1, 'front_right_leg', '1 1 0', '-70 -30'],
  [-1, -1, 'back_leg', '-1 1 0', '-70 -30'],
  [1, -1, 'right_back_leg', '1 1 0', '30 70'],
];

function antLeg([sx, sy, link, ankleAxis, ankleRange]: (typeof LEGS)[number], i: number): string {
  const p = (s: number) => `${0.2 * sx * s} ${0.2 * sy * s} 0`;
  return `      <body name="${link}" pos="0 0 0">
        <geom name="${link}_geom" type="capsule" fromto="0 0 0 ${p(1)}" size="0.08"/>
        <body name="aux_${i}" pos="${p(1)}">
          <joint name="hip_${i}" type="hinge" axis="0 0 1" pos="0 0 0" range="-30 30"/>
          <geom name="aux_${i}_geom" type="capsule" fromto="0 0 0 ${p(1)}" size="0.08"/>
          <body name="lower_leg_${i}" pos="${p(1)}">
            <joint name="ankle_${i}" type="hinge" axis="${ankleAxis}" pos="0 0 0" range="${ankleRange}"/>
            <geom name="ankle_${i}_geom" type="capsule" fromto="0 0 0 ${p(2)}" size="0.08"/>
          </body>
        </body>
      </body>`;
}

/**
 * The quadruped, written from the tables in spec/environments.md §3.9: a 0.25 m sphere torso on a
 * free joint at 0.75 m, four horizontal legs (a rigid link, a hip about z, an ankle), capsules of
 * radius 0.08, density 5, contact margin 0.01, RK4 at 0.01 s, eight motors with gear 150 in
 * Gymnasium's actuator order (leg 4 first).
 *
 * Compiled, it equals Gymnasium's `ant.xml` in every physical field. A foot–floor contact is
 * active within 0.01 m: mujoco-js (MuJoCo 3.3.8) combines two geoms' margins by taking the larger,
 * as every MuJoCo before 3.5 does; MuJoCo 3.5 and later add them (0.02 m), which shortens random
 * episodes noticeably (docs/benchmarks.md).
 */
export const ANT_XML = `<mujoco model="ant">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.01"/>
  <default>
    <joint limited="true" armature="1" damping="1"/>
    <geom conaffinity="0" condim="3" density="5" friction="1 0.5 0.5" margin="0.01"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3" friction="1 0.5 0.5" margin="0.01"/>
    <body name="torso" pos="0 0 0.75">
      <joint name="root" type="free" limited="false" armature="0" damping="0" margin="0.01"/>
      <geom name="torso_geom" type="sphere" pos="0 0 0" size="0.25"/>
${LEGS.map((leg, i) => antLeg(leg, i + 1)).join('\n')}
    </body>
  </worldbody>
  <actuator>
${[4, 1, 2, 3].flatMap((i) => [`    <motor joint="hip_${i}" gear="150"/>`, `    <motor joint="ankle_${i}" gear="150"/>`]).join('\n')}
  </actuator>
</mujoco>
`;

const KwargsSchema = z.strictObject({
  /** Physics steps (0.01 s each) per env step. */
  frame_skip: z.number().int().positive().default(5),
  forward_reward_weight: z.number().finite().default(1),
  ctrl_cost_weight: z.number().finite().default(0.5),
  contact_cost_weight: z.number().finite().default(5e-4),
  /** Paid each step while healthy (so not on the terminating step). */
  healthy_reward: z.number().finite().default(1),
  /** Body whose `xpos` measures progress: an id or a name. */
  main_body: z.union([z.number().int().nonnegative(), z.string()]).default(1),
  terminate_when_unhealthy: z.boolean().default(true),
  /** Closed interval for the torso height qpos[2]. */
  healthy_z_range: z.tuple([z.number(), z.number()]).default([0.2, 1.0]),
  /** Clip range of the external contact forces (observation and contact cost). */
  contact_force_range: z.tuple([z.number(), z.number()]).default([-1, 1]),
  /** Uniform qpos noise half-width and qvel noise standard deviation at reset. */
  reset_noise_scale: z.number().finite().nonnegative().default(0.1),
  /** Leave the x and y position (qpos[0..1]) out of the observation. */
  exclude_current_positions_from_observation: z.boolean().default(true),
  /** Append the clipped `cfrc_ext` of bodies 1..13 (78 entries). */
  include_cfrc_ext_in_observation: z.boolean().default(true),
});

/** Constructor arguments of {@link AntEnv} (Gymnasium's names). */
export type AntKwargs = z.input<typeof KwargsSchema>;

/**
 * Ant-v5: make a four-legged ant walk forward, after Gymnasium 1.4 (spec/environments.md §3.9).
 *
 * - Observation (105): qpos[2..14] (torso z, quaternion w x y z, eight joint angles), qvel (14),
 *   then `cfrc_ext` of bodies 1..13 clipped to ±1 (78). 107 with x, y; 27 without the forces.
 * - Action (8): Box(−1, 1), gear 150, in the order hip_4, ankle_4, hip_1, ankle_1, hip_2,
 *   ankle_2, hip_3, ankle_3.
 * - Reward: ẋ of the torso's `xpos` (the value after the last substep's kinematics, as
 *   Gymnasium's) + 1·[healthy] − 0.5·‖a‖² − 5e-4·Σ clip(cfrc_ext)²; info `reward_forward`,
 *   `reward_survive`, `reward_ctrl`, `reward_contact` sum to the reward.
 * - Healthy: all of qpos and qvel finite and 0.2 ≤ torso z ≤ 1 (inclusive).
 * - Reset: qpos + U(−0.1, 0.1) on all 15 entries (quaternion not renormalised), qvel + 0.1·N(0, 1).
 */
export class AntEnv extends MujocoEnv {
  readonly config: z.output<typeof KwargsSchema>;
  readonly mainBody: number;

  constructor(kwargs: AntKwargs = {}) {
    const kw = parseKwargs(ID, KwargsSchema, kwargs);
    const size = 27 - (kw.exclude_current_positions_from_observation ? 0 : -2) + (kw.include_cfrc_ext_in_observation ? 78 : 0);
    super({ name: ID, xml: ANT_XML, frameSkip: kw.frame_skip, observationSize: size, resetNoiseScale: kw.reset_noise_scale, qposNoise: 'uniform', qvelNoise: 'normal' });
    this.config = kw;
    const body = typeof kw.main_body === 'number' ? kw.main_body : this.mj.mj_name2id(this.model, this.mj.mjtObj.mjOBJ_BODY.value, kw.main_body);
    if (body < 0 || body >= this.model.nbody) {
      this.close();
      throw new RangeError(`${ID}: main_body ${JSON.stringify(kw.main_body)} is not a body of the model (ids 0..${this.model.nbody - 1})`);
    }
    this.mainBody = body;
  }

  private mainBodyXY(): [number, number] {
    const xpos = this.data.xpos as Float64Array;
    return [xpos[3 * this.mainBody], xpos[3 * this.mainBody + 1]];
  }

  override step(action: Float32Array): StepResult<Float32Array> {
    const c = this.config;
    const [xBefore, yBefore] = this.mainBodyXY();
    this.doSimulation(action);
    const [xAfter, yAfter] = this.mainBodyXY();
    const xVelocity = (xAfter - xBefore) / this.dt;
    const yVelocity = (yAfter - yBefore) / this.dt;
    const data = this.data;
    const qpos = data.qpos as Float64Array;
    const qvel = data.qvel as Float64Array;
    const healthy = qpos.every(Number.isFinite) && qvel.every(Number.isFinite) && qpos[2] >= c.healthy_z_range[0] && qpos[2] <= c.healthy_z_range[1];
    const forces = this.clippedContactForces();
    let contactSquares = 0;
    for (let i = 0; i < forces.length; i++) contactSquares += forces[i] * forces[i];
    const forwardReward = c.forward_reward_weight * xVelocity;
    const healthyReward = healthy ? c.healthy_reward : 0;
    const ctrlCost = controlCost(c.ctrl_cost_weight, action);
    const contactCost = c.contact_cost_weight * contactSquares;
    const reward = forwardReward + healthyReward - ctrlCost - contactCost;
    const terminated = c.terminate_when_unhealthy && !healthy;
    const info: Info = {
      ...this.positionInfo(qpos),
      x_velocity: xVelocity,
      y_velocity: yVelocity,
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
      reward_contact: -contactCost,
      reward_survive: healthyReward,
    };
    return [this.observation(forces), reward, terminated, false, info];
  }

  /** `cfrc_ext` of every body (world row included), clipped to `contact_force_range`. */
  private clippedContactForces(): Float64Array {
    const [lo, hi] = this.config.contact_force_range;
    const raw = this.data.cfrc_ext as Float64Array;
    const out = new Float64Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = Math.min(Math.max(raw[i], lo), hi);
    return out;
  }

  private positionInfo(qpos: Float64Array): Info {
    const dx = qpos[0] - this.initQpos[0];
    const dy = qpos[1] - this.initQpos[1];
    return { x_position: qpos[0], y_position: qpos[1], distance_from_origin: Math.hypot(dx, dy) };
  }

  protected override resetInfo(): Info {
    return this.positionInfo(this.data.qpos as Float64Array);
  }

  protected observation(forces: Float64Array = this.clippedContactForces()): Float32Array {
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    const skip = this.config.exclude_current_positions_from_observation ? 2 : 0;
    const obs = new Float32Array(this.observationSpace.size);
    obs.set(qpos.subarray(skip));
    obs.set(qvel, qpos.length - skip);
    // the world body's row (always zero) is left out
    if (this.config.include_cfrc_ext_in_observation) obs.set(forces.subarray(6), qpos.length - skip + qvel.length);
    return obs;
  }
}
