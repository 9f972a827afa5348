import t from 'tap';
import { AcrobotEnv, wrap } from '../../envs/acrobot.js';
import { make, spec } from '../../src/registry.js';
import { checkFixtures, checkSeeding, firstFlagStep, runToEnd } from '../helpers/classic-control-fixtures.js';

const ID = 'Acrobot-v1';

t.test('matches Gymnasium step for step (fixtures)', async (t) => {
  const cases = checkFixtures(t, ID);
  t.equal(firstFlagStep(cases, 'random-truncate', 'truncated'), 500, 'fixture: Gymnasium truncates at step 500');
  t.equal(firstFlagStep(cases, 'pump-to-goal', 'terminated'), 77, 'fixture: the pumping policy reaches the goal');
});

t.test('registration and time limit', async (t) => {
  t.equal(spec(ID).maxEpisodeSteps, 500);
  t.equal(spec(ID).rewardThreshold, -100);
  const env = make(ID);
  env.reset({ seed: 3 });
  t.same(runToEnd(env, () => 1), [500, false, true], 'no torque: truncated at exactly step 500');
  t.throws(() => make('Acrobot-v0'), /Acrobot-v1/);
});

t.test('wrap shifts by whole periods into [m, M]', async (t) => {
  t.equal(wrap(Math.PI, -Math.PI, Math.PI), Math.PI, 'the upper end stays (closed interval)');
  t.equal(wrap(-Math.PI, -Math.PI, Math.PI), -Math.PI);
  t.ok(Math.abs(wrap(3 * Math.PI + 0.5, -Math.PI, Math.PI) - (-Math.PI + 0.5)) < 1e-12);
  t.ok(Math.abs(wrap(-7.0, -Math.PI, Math.PI) - (-7.0 + 2 * Math.PI)) < 1e-12);
});

t.test('seeding: same seed same episode, different seeds differ', async (t) => {
  checkSeeding(t, ID, 41, 200, (actions) => actions.int(3));
});

t.test('reset distribution and options', async (t) => {
  const env = new AcrobotEnv();
  env.reset({ seed: 2 });
  let outside = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < 1000; i++) {
    env.reset();
    for (const v of env.state!) {
      if (!(v >= Math.fround(-0.1) && v <= Math.fround(0.1) && v === Math.fround(v))) outside += 1;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  t.equal(outside, 0, '1000 resets: all four components in [−0.1, 0.1], float32-rounded');
  t.ok(lo < -0.099 && hi > 0.099, 'the components cover the interval');
  for (let i = 0; i < 100; i++) {
    env.reset({ options: { low: -0.2, high: 0.2 } });
    if (env.state!.some((v) => v < Math.fround(-0.2) || v > Math.fround(0.2))) t.fail(`low/high not honoured: ${env.state}`);
  }
  t.throws(() => env.reset({ options: { low: 0.3, high: 0.2 } }), /must not exceed/);
});

t.test('kwargs: book_or_nips, torque_noise_max', async (t) => {
  t.equal(new AcrobotEnv().bookOrNips, 'book');
  t.equal(new AcrobotEnv({ book_or_nips: 'nips' }).bookOrNips, 'nips');
  t.equal((make(ID, { kwargs: { torque_noise_max: 0.1 } }).unwrapped as AcrobotEnv).torqueNoiseMax, 0.1);
  t.throws(() => new AcrobotEnv({ book_or_nips: 'paper' } as never), /book_or_nips/);
  t.throws(() => new AcrobotEnv({ torque_noise_max: -1 } as never), /torque_noise_max/);
  t.throws(() => make(ID, { kwargs: { dt: 0.1 } }), /"dt"/);

  // Torque noise draws from the env's seeded stream: reproducible, and it changes the motion.
  const run = (noise: number, seed: number) => {
    const env = new AcrobotEnv({ torque_noise_max: noise });
    env.reset({ seed });
    env.state = [0.1, 0.2, 0, 0];
    for (let i = 0; i < 9; i++) env.step(2);
    return Array.from(env.step(2)[0]);
  };
  t.same(run(0.5, 1), run(0.5, 1));
  t.notSame(run(0.5, 1), run(0, 1));
});

t.test('bad actions throw clear errors', async (t) => {
  const env = new AcrobotEnv();
  env.reset({ seed: 0 });
  t.throws(() => env.step(3), /3 is outside \{0, \.\.\., 2\}/);
  t.throws(() => env.step(-1), /outside/);
  t.throws(() => env.step(2.5), /integer/);
  t.throws(() => env.step(NaN), /integer/);
  t.throws(() => new AcrobotEnv().step(1), /reset/);
  t.match(env.render(), /^Acrobot θ1=/);
});
