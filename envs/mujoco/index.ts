/**
 * The MuJoCo environments (Gymnasium v5), registered under Gymnasium's ids with its step limits
 * and reward thresholds. Making one needs the engine: `await loadMujoco()` once, then
 * `make('InvertedPendulum-v5')` as usual.
 */
import { registerBuiltins, type EnvFactory, type EnvSpecOptions } from '../../src/registry.js';
import { AntEnv } from './ant.js';
import { HalfCheetahEnv } from './half-cheetah.js';
import { HopperEnv } from './hopper.js';
import { Walker2dEnv } from './walker2d.js';
import { InvertedDoublePendulumEnv } from './inverted-double-pendulum.js';
import { InvertedPendulumEnv } from './inverted-pendulum.js';

export { loadMujoco, isMujocoLoaded, compileModel, validateMjcf, MjcfError, type Mujoco, type MjModel, type MjData } from './loader.js';
export { MujocoEnv, CustomMujocoEnv, registerMujocoEnv, controlCost, type MujocoEnvOptions, type MujocoEnvDefinition, type MujocoStepContext, type NoiseKind } from './mujoco-env.js';
export { InvertedPendulumEnv, INVERTED_PENDULUM_XML, type InvertedPendulumKwargs } from './inverted-pendulum.js';
export { InvertedDoublePendulumEnv, INVERTED_DOUBLE_PENDULUM_XML, type InvertedDoublePendulumKwargs } from './inverted-double-pendulum.js';
export { HalfCheetahEnv, HALF_CHEETAH_XML, type HalfCheetahKwargs } from './half-cheetah.js';
export { PlanarWalkerEnv } from './planar-walker.js';
export { HopperEnv, HOPPER_XML, type HopperKwargs } from './hopper.js';
export { Walker2dEnv, WALKER2D_XML, type Walker2dKwargs } from './walker2d.js';
export { AntEnv, ANT_XML, type AntKwargs } from './ant.js';

const MUJOCO: [id: string, factory: EnvFactory, options: EnvSpecOptions][] = [
  [
    'InvertedPendulum-v5',
    (kw) => new InvertedPendulumEnv(kw),
    { maxEpisodeSteps: 1000, rewardThreshold: 950, description: 'MuJoCo: keep a pole upright on a cart; continuous force, +1 per step upright' },
  ],
  [
    'InvertedDoublePendulum-v5',
    (kw) => new InvertedDoublePendulumEnv(kw),
    { maxEpisodeSteps: 1000, rewardThreshold: 9100, description: 'MuJoCo: balance two poles in series on a cart; keep the tip high' },
  ],
  [
    'HalfCheetah-v5',
    (kw) => new HalfCheetahEnv(kw),
    { maxEpisodeSteps: 1000, rewardThreshold: 4800, description: 'MuJoCo: make a planar cheetah run forward; six joint torques, never terminates' },
  ],
  [
    'Hopper-v5',
    (kw) => new HopperEnv(kw),
    { maxEpisodeSteps: 1000, rewardThreshold: 3800, description: 'MuJoCo: make a one-legged hopper hop forward without falling' },
  ],
  [
    'Walker2d-v5',
    (kw) => new Walker2dEnv(kw),
    { maxEpisodeSteps: 1000, description: 'MuJoCo: make a planar biped walk forward without falling' },
  ],
  [
    'Ant-v5',
    (kw) => new AntEnv(kw),
    { maxEpisodeSteps: 1000, rewardThreshold: 6000, description: 'MuJoCo: make a four-legged ant walk forward; eight joint torques' },
  ],
];

registerBuiltins(MUJOCO);
