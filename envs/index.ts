/**
 * The built-in environments, registered under Gymnasium's ids with Gymnasium's step limits and
 * reward thresholds, plus everything from the library core: `import { make } from 'imitate/envs'`
 * is enough to run `make('Pendulum-v1')`.
 */
import { registerBuiltins, type EnvFactory, type EnvSpecOptions } from '../src/registry.js';
import { AcrobotEnv } from './acrobot.js';
import { CartPoleEnv } from './cartpole.js';
import { MountainCarContinuousEnv } from './mountain-car-continuous.js';
import { MountainCarEnv } from './mountain-car.js';
import { PendulumEnv } from './pendulum.js';

export * from '../src/index.js';
export { AcrobotEnv, type AcrobotKwargs, wrap } from './acrobot.js';
export { CartPoleEnv, type CartPoleKwargs } from './cartpole.js';
export { MountainCarContinuousEnv, type MountainCarContinuousKwargs } from './mountain-car-continuous.js';
export { MountainCarEnv, type MountainCarKwargs } from './mountain-car.js';
export { PendulumEnv, type PendulumKwargs, angleNormalize } from './pendulum.js';
export * from './mujoco/index.js';

const CLASSIC_CONTROL: [id: string, factory: EnvFactory, options: EnvSpecOptions][] = [
  [
    'Pendulum-v1',
    (kw) => new PendulumEnv(kw),
    { maxEpisodeSteps: 200, description: 'swing a pendulum up and hold it upright; continuous torque, 200 steps' },
  ],
  [
    'MountainCarContinuous-v0',
    (kw) => new MountainCarContinuousEnv(kw),
    { maxEpisodeSteps: 999, rewardThreshold: 90, description: 'drive an under-powered car up a hill; continuous force, energy penalty, +100 at the goal' },
  ],
  [
    'CartPole-v1',
    (kw) => new CartPoleEnv(kw),
    { maxEpisodeSteps: 500, rewardThreshold: 475, description: 'balance a pole on a cart; push left or right, +1 per step upright' },
  ],
  [
    'MountainCar-v0',
    (kw) => new MountainCarEnv(kw),
    { maxEpisodeSteps: 200, rewardThreshold: -110, description: 'rock a car out of a valley with three discrete pushes; −1 per step' },
  ],
  [
    'Acrobot-v1',
    (kw) => new AcrobotEnv(kw),
    { maxEpisodeSteps: 500, rewardThreshold: -100, description: 'swing the tip of a two-link chain above a line; three torques, −1 per step' },
  ],
];

registerBuiltins(CLASSIC_CONTROL);
