import t from 'tap';
import * as envs from '../../envs/index.js';

const EXPECTED: [id: string, steps: number, threshold: number | undefined, cls: unknown][] = [
  ['Pendulum-v1', 200, undefined, envs.PendulumEnv],
  ['MountainCarContinuous-v0', 999, 90, envs.MountainCarContinuousEnv],
  ['CartPole-v1', 500, 475, envs.CartPoleEnv],
  ['MountainCar-v0', 200, -110, envs.MountainCarEnv],
  ['Acrobot-v1', 500, -100, envs.AcrobotEnv],
];

t.test('registers the five classic-control envs with Gymnasium limits', async (t) => {
  for (const [id, steps, threshold, cls] of EXPECTED) {
    const s = envs.spec(id);
    t.equal(s.maxEpisodeSteps, steps, `${id} maxEpisodeSteps`);
    t.equal(s.rewardThreshold, threshold, `${id} rewardThreshold`);
    t.match(s.description, /\w+/, `${id} has a description`);
    t.ok(envs.make(id).unwrapped instanceof (cls as new () => unknown), `${id} makes a ${(cls as { name: string }).name}`);
  }
});

t.test('re-exports the core and survives a second evaluation', async (t) => {
  t.type(envs.make, 'function');
  t.type(envs.Box, 'function');
  const again = (await import(`../../envs/index.js?again=${Date.now()}`)) as typeof envs;
  t.not(again, envs, 'a second copy of the module was evaluated');
  t.equal(again.PendulumEnv, envs.PendulumEnv);
  t.equal(envs.registeredEnvs().filter((s) => s.id === 'Pendulum-v1').length, 1);
});

t.test('each env passes checkEnv', async (t) => {
  for (const [id] of EXPECTED) {
    const report = envs.checkEnv(envs.make(id).unwrapped, { steps: 600 });
    t.ok(report, `${id} passes checkEnv`);
  }
});
