import { z } from 'zod';
import type { Info, StepResult } from '../../src/env.js';
import { controlCost, MujocoEnv, type MujocoEnvOptions } from './mujoco-env.js';

/** Kwargs shared by Hopper-v5 and Walker2d-v5 (Gymnasium's names; defaults set per env). */
export const planarWalkerKwargs = (healthyZ: [number, number], healthyAngle: [number, number]) => ({
  /** Physics steps (0.002 s each) per env step. */
  frame_skip: z.number().int().positive().default(4),
  forward_reward_weight: z.number().finite().default(1.0),
  ctrl_cost_weight: z.number().finite().default(1e-3),
  /** Paid each step while healthy (so not on the terminating step). */
  healthy_reward: z.number().finite().default(1.0),
  terminate_when_unhealthy: z.boolean().default(true),
  /** Open interval for the torso height qpos[1]. */
  healthy_z_range: z.tuple([z.number(), z.number()]).default(healthyZ),
  /** Open interval for the torso pitch qpos[2]. */
  healthy_angle_range: z.tuple([z.number(), z.number()]).default(healthyAngle),
  /** Half-width of the uniform noise on qpos0 and zero velocity at reset. */
  reset_noise_scale: z.number().finite().nonnegative().default(5e-3),
  /** Leave the x position (qpos[0]) out of the observation. */
  exclude_current_positions_from_observation: z.boolean().default(true),
});

/** The parsed shared kwargs. */
export interface PlanarWalkerConfig {
  forward_reward_weight: number;
  ctrl_cost_weight: number;
  healthy_reward: number;
  terminate_when_unhealthy: boolean;
  healthy_z_range: [number, number];
  healthy_angle_range: [number, number];
  exclude_current_positions_from_observation: boolean;
}

const clip10 = (v: number) => Math.min(Math.max(v, -10), 10);

/**
 * Hopper-v5 and Walker2d-v5 (spec/environments.md §3.6–3.7): planar bodies on rootx/rootz/rooty
 * joints rewarded for forward speed, a healthy bonus and a control cost.
 *
 * - Observation: qpos[1..] (qpos[0] too when not excluded), then qvel clipped to ±10.
 * - Reward: forward_reward_weight·Δqpos[0]/dt + healthy_reward·[healthy] − ctrl_cost_weight·‖a‖²;
 *   info `reward_forward` + `reward_survive` + `reward_ctrl` = reward, plus `x_position`,
 *   `z_distance_from_origin`, `x_velocity` (reset returns the two positions).
 * - Terminated when unhealthy (if `terminate_when_unhealthy`); subclasses define `isHealthy`.
 */
export abstract class PlanarWalkerEnv extends MujocoEnv {
  readonly config: PlanarWalkerConfig;

  constructor(options: Omit<MujocoEnvOptions, 'observationSize'>, config: PlanarWalkerConfig, nq: number) {
    super({ ...options, observationSize: 2 * nq - (config.exclude_current_positions_from_observation ? 1 : 0) });
    this.config = config;
  }

  /** Whether the state after a step is healthy (strict inequalities, as Gymnasium's). */
  protected abstract isHealthy(qpos: Float64Array, qvel: Float64Array): boolean;

  override step(action: Float32Array): StepResult<Float32Array> {
    const c = this.config;
    const xBefore = (this.data.qpos as Float64Array)[0];
    this.doSimulation(action);
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    const xAfter = qpos[0];
    const xVelocity = (xAfter - xBefore) / this.dt;
    const healthy = this.isHealthy(qpos, qvel);
    const forwardReward = c.forward_reward_weight * xVelocity;
    const healthyReward = healthy ? c.healthy_reward : 0;
    const ctrlCost = controlCost(c.ctrl_cost_weight, action);
    const reward = forwardReward + healthyReward - ctrlCost;
    const terminated = c.terminate_when_unhealthy && !healthy;
    const info: Info = {
      x_position: xAfter,
      z_distance_from_origin: qpos[1] - this.initQpos[1],
      x_velocity: xVelocity,
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
      reward_survive: healthyReward,
    };
    return [this.observation(), reward, terminated, false, info];
  }

  protected override resetInfo(): Info {
    const qpos = this.data.qpos as Float64Array;
    return { x_position: qpos[0], z_distance_from_origin: qpos[1] - this.initQpos[1] };
  }

  protected observation(): Float32Array {
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    const skip = this.config.exclude_current_positions_from_observation ? 1 : 0;
    const obs = new Float32Array(qpos.length - skip + qvel.length);
    obs.set(qpos.subarray(skip));
    for (let i = 0; i < qvel.length; i++) obs[qpos.length - skip + i] = clip10(qvel[i]);
    return obs;
  }
}
