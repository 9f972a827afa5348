import t from 'tap';
import { MountainCarContinuousEnv } from '../../envs/mountain-car-continuous.js';
import { make, spec } from '../../src/registry.js';
import { checkFixtures, checkSeeding, firstFlagStep, runToEnd } from '../helpers/classic-control-fixtures.js';

const ID = 'MountainCarContinuous-v0';

t.test('matches Gymnasium step for step (fixtures)', async (t) => {
  const cases = checkFixtures(t, ID);
  t.equal(firstFlagStep(cases, 'weak-truncate', 'truncated'), 999, 'fixture: Gymnasium truncates at step 999');
  t.equal(firstFlagStep(cases, 'pump-to-goal', 'terminated'), 106, 'fixture: the pumping policy reaches the goal');
});

t.test('registration and time limit', async (t) => {
  t.equal(spec(ID).maxEpisodeSteps, 999);
  t.equal(spec(ID).rewardThreshold, 90);
  const env = make(ID);
  env.reset({ seed: 3 });
  t.same(runToEnd(env, () => Float32Array.of(0)), [999, false, true], 'idle car is truncated at exactly step 999');
  t.throws(() => make('MountainCarContinuous-v1'), /MountainCarContinuous-v0/);
});

t.test('seeding: same seed same episode, different seeds differ', async (t) => {
  checkSeeding(t, ID, 11, 300, (actions) => Float32Array.of(actions.uniform(-1.5, 1.5)));
});

t.test('reset distribution and options', async (t) => {
  const env = new MountainCarContinuousEnv();
  env.reset({ seed: 2 });
  let outside = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < 1000; i++) {
    const [obs] = env.reset();
    if (!(obs[0] >= Math.fround(-0.6) && obs[0] <= Math.fround(-0.4) && obs[1] === 0)) outside += 1;
    lo = Math.min(lo, obs[0]);
    hi = Math.max(hi, obs[0]);
  }
  t.equal(outside, 0, '1000 resets: x in [−0.6, −0.4], v = 0');
  t.ok(lo < -0.59 && hi > -0.41, 'x covers the interval');
  t.ok(env.state instanceof Float64Array, 'the state is float64 right after reset, as in Gymnasium');
  for (let i = 0; i < 100; i++) {
    const [obs] = env.reset({ options: { low: -1.0, high: -0.9 } });
    if (obs[0] < Math.fround(-1.0) || obs[0] > Math.fround(-0.9)) t.fail(`low/high not honoured: ${obs[0]}`);
  }
  t.same(Array.from(env.reset({ options: { high: -0.3, low: -0.3 } })[0]), [Math.fround(-0.3), 0]);
  t.throws(() => env.reset({ options: { low: 0.1, high: -0.1 } }), /low \(0\.1\) must not exceed high/);
  t.throws(() => env.reset({ options: { low: null } }), /'low'/);
});

t.test('kwargs', async (t) => {
  t.equal(new MountainCarContinuousEnv({ goal_velocity: 0.01 }).goalVelocity, 0.01);
  t.equal((make(ID, { kwargs: { goal_velocity: 0.02 } }).unwrapped as MountainCarContinuousEnv).goalVelocity, 0.02);
  t.throws(() => new MountainCarContinuousEnv({ goalVelocity: 0.01 } as never), /goalVelocity/);
  t.throws(() => new MountainCarContinuousEnv({ goal_velocity: '0' } as never), /goal_velocity/);
});

t.test('actions: clipped for the dynamics, penalised unclipped; malformed rejected', async (t) => {
  const env = new MountainCarContinuousEnv();
  const stepFrom = (a: number) => {
    env.reset({ seed: 0 });
    env.state = Float32Array.of(-0.5, 0.01);
    return env.step(Float32Array.of(a));
  };
  const [obsBig, rBig] = stepFrom(3);
  const [obsOne, rOne] = stepFrom(1);
  t.same(obsBig, obsOne, 'force 3 moves the car as force 1');
  t.ok(Math.abs(rBig - -0.9) < 1e-6 && Math.abs(rOne - -0.1) < 1e-6, 'but costs 0.1·3² instead of 0.1');
  t.ok(env.state instanceof Float32Array, 'the state is float32 after a step, as in Gymnasium');
  t.throws(() => env.step(new Float32Array(0)), /length 0/);
  t.throws(() => env.step(Float32Array.of(NaN)), /NaN/);
  t.throws(() => env.step(Float32Array.of(Infinity)), /finite/);
  t.throws(() => new MountainCarContinuousEnv().step(Float32Array.of(0)), /reset/);
  t.match(env.render(), /^MountainCarContinuous x=/);
});

t.test('left wall is inelastic, goal terminates with +100', async (t) => {
  const env = new MountainCarContinuousEnv();
  env.reset({ seed: 0 });
  env.state = Float32Array.of(-1.19, -0.05);
  const [obs] = env.step(Float32Array.of(-1));
  t.same(Array.from(obs), [Math.fround(-1.2), 0]);
  env.state = Float32Array.of(0.44, 0.02);
  const [, reward, terminated] = env.step(Float32Array.of(0.5));
  t.ok(terminated);
  t.ok(Math.abs(reward - (100 - 0.025)) < 1e-9);
});
