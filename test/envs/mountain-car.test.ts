import t from 'tap';
import { MountainCarEnv } from '../../envs/mountain-car.js';
import { make, spec } from '../../src/registry.js';
import { checkFixtures, checkSeeding, firstFlagStep, runToEnd } from '../helpers/classic-control-fixtures.js';

const ID = 'MountainCar-v0';

t.test('matches Gymnasium step for step (fixtures)', async (t) => {
  const cases = checkFixtures(t, ID);
  t.equal(firstFlagStep(cases, 'idle-truncate', 'truncated'), 200, 'fixture: Gymnasium truncates at step 200');
  t.equal(firstFlagStep(cases, 'pump-to-goal', 'terminated'), 124, 'fixture: the pumping policy reaches the goal');
});

t.test('registration and time limit', async (t) => {
  t.equal(spec(ID).maxEpisodeSteps, 200);
  t.equal(spec(ID).rewardThreshold, -110);
  const env = make(ID);
  env.reset({ seed: 3 });
  t.same(runToEnd(env, () => 1), [200, false, true], 'idle car is truncated at exactly step 200');
  env.reset({ seed: 3 });
  const inner = env.unwrapped as MountainCarEnv;
  const [steps, terminated] = runToEnd(env, () => (inner.state![1] >= 0 ? 2 : 0));
  t.ok(terminated && steps < 200, `pumping reaches the goal (${steps} steps)`);
  t.throws(() => make('MountainCar-v1'), /MountainCar-v0/);
});

t.test('seeding: same seed same episode, different seeds differ', async (t) => {
  checkSeeding(t, ID, 31, 250, (actions) => actions.int(3));
});

t.test('reset distribution and options', async (t) => {
  const env = new MountainCarEnv();
  env.reset({ seed: 2 });
  let outside = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < 1000; i++) {
    env.reset();
    const [x, v] = env.state!;
    if (!(x >= -0.6 && x <= -0.4 && v === 0)) outside += 1;
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  t.equal(outside, 0, '1000 resets: x in [−0.6, −0.4], v = 0');
  t.ok(lo < -0.59 && hi > -0.41, 'x covers the interval');
  for (let i = 0; i < 100; i++) {
    env.reset({ options: { low: -0.7, high: 0.5 } });
    if (env.state![0] < -0.7 || env.state![0] > 0.5) t.fail(`low/high not honoured: ${env.state}`);
  }
  t.throws(() => env.reset({ options: { low: 0, high: -1 } }), /must not exceed/);
});

t.test('kwargs: goal_velocity', async (t) => {
  t.equal(new MountainCarEnv({ goal_velocity: 0.05 }).goalVelocity, 0.05);
  t.throws(() => new MountainCarEnv({ goal_vel: 0.05 } as never), /goal_vel/);
  t.throws(() => make(ID, { kwargs: { render_mode: 'human' } }), /render_mode/);
  const env = new MountainCarEnv({ goal_velocity: 0.05 });
  env.reset({ seed: 0 });
  env.state = [0.55, 0.03];
  t.equal(env.step(1)[2], false, 'at the goal but too slow');
});

t.test('walls: inelastic on the left, clipped on the right', async (t) => {
  const env = new MountainCarEnv();
  env.reset({ seed: 0 });
  env.state = [-1.19, -0.05];
  t.same(Array.from(env.step(0)[0]), [Math.fround(-1.2), 0]);
  env.state = [0.59, 0.07];
  const [obs, reward, terminated] = env.step(2);
  t.same(Array.from(obs), [Math.fround(0.6), Math.fround(0.07)]);
  t.equal(reward, -1);
  t.equal(terminated, true);
});

t.test('bad actions throw clear errors', async (t) => {
  const env = new MountainCarEnv();
  env.reset({ seed: 0 });
  t.throws(() => env.step(3), /3 is outside \{0, \.\.\., 2\}/);
  t.throws(() => env.step(1.5), /integer/);
  t.throws(() => env.step(NaN), /integer/);
  t.throws(() => env.step(Float32Array.of(1) as never), /integer/);
  t.throws(() => new MountainCarEnv().step(0), /reset/);
  t.match(env.render(), /^MountainCar x=/);
});
